# bash completion for entretiensctl.  Installed to
# <prefix>/share/bash-completion/completions/entretiensctl (cmake --install,
# the Debian package); by hand: source deploy/completion/entretiensctl.bash
#
# Nothing is listed here: the commands, their subcommands and flags are read
# from the program's own --help (the CLI's command table and each command's
# details), so completion follows the binary being completed.

_entretiensctl_help() { # [COMMAND] -> that help text (cached per program and command)
    local prog=$1 cmd=${2:-} key
    key="${prog}|${cmd}"
    if [[ ${_entretiensctl_cache_key:-} != "$key" ]]; then
        _entretiensctl_cache_key=$key
        if [[ -n $cmd ]]; then
            _entretiensctl_cache=$("$prog" "$cmd" --help 2>/dev/null)
        else
            _entretiensctl_cache=$("$prog" --help 2>/dev/null)
        fi
    fi
    printf '%s\n' "$_entretiensctl_cache"
}

_entretiensctl() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} prog=${COMP_WORDS[0]}
    local i cmd="" sub="" w
    COMPREPLY=()
    # the command is the first word that is not an option (or an option's value)
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        case $w in
            --as|--lang|--out|--map|--from|--to|--policy-out) ((i++)); continue ;;
            -*) continue ;;
        esac
        if [[ -z $cmd ]]; then cmd=$w; elif [[ -z $sub ]]; then sub=$w; fi
    done
    case $prev in
        --out|--policy-out|--map) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --as) COMPREPLY=($(compgen -W "employee: manager: hr: admin:" -- "$cur")); compopt -o nospace 2>/dev/null; return ;;
        --lang) COMPREPLY=($(compgen -W "fr en" -- "$cur")); return ;;
    esac
    local help
    if [[ -z $cmd ]]; then
        help=$(_entretiensctl_help "$prog")
        if [[ $cur == -* ]]; then
            # the CLI's own options and the configuration flags (--data-dir ...)
            COMPREPLY=($(compgen -W "--json --as --help --version $(grep -oE -- '--[a-z][a-z0-9-]+' <<<"$help" | sort -u)" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$(sed -n '/^commands:/,/^$/p' <<<"$help" | awk 'NR > 1 && /^  [a-z]/ {print $1}')" -- "$cur"))
        fi
        return
    fi
    help=$(_entretiensctl_help "$prog" "$cmd")
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "--json --as --help $(grep -oE -- '--[a-z][a-z0-9-]+' <<<"$help" | sort -u)" -- "$cur"))
        return
    fi
    if [[ -z $sub ]]; then
        # subcommands: the word after the command in each alternative of the
        # usage line ("clock show | clock set DATE" -> show set)
        local subs
        subs=$(head -n 1 <<<"$help" | sed 's/^usage: entretiensctl //; s/ \[--json\]$//' | tr '|' '\n' |
            awk -v c="$cmd" '$1 == c && $2 ~ /^[a-z][a-z-]*$/ {print $2}' | sort -u)
        if [[ -n $subs ]]; then
            COMPREPLY=($(compgen -W "$subs" -- "$cur"))
            return
        fi
    fi
    COMPREPLY=($(compgen -f -- "$cur"))
}
complete -F _entretiensctl entretiensctl
