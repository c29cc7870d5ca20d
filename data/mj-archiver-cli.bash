# bash completion for mj-archiver-cli                          -*- shell-script -*-
# SPDX-License-Identifier: GPL-3.0-or-later

_mj_archiver_cli()
{
    local cur prev words cword
    _init_completion || return

    local commands="sync download search stats verify reindex export tag login logout status"
    local common="--archive --api-base-url --cdn-base-url --auth-base-url --protocol --cookie --cookie-file
                  --session-token --user-id --quiet --verbose --json --help --help-all --help-common"

    if [[ $cword -eq 1 ]]; then
        COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
        return
    fi

    case $prev in
        --archive|-a)
            _filedir -d
            return ;;
        --output|-o|--cookie-file)
            _filedir
            return ;;
        --protocol)
            COMPREPLY=($(compgen -W "auto current legacy" -- "$cur"))
            return ;;
        --connection)
            COMPREPLY=($(compgen -W "auto direct browser" -- "$cur"))
            return ;;
        --image-format)
            COMPREPLY=($(compgen -W "png webp jpeg" -- "$cur"))
            return ;;
        --format|-f)
            COMPREPLY=($(compgen -W "csv json" -- "$cur"))
            return ;;
        --job-type|-t|--type|--job-types-to-download)
            COMPREPLY=($(compgen -W "all grid upscale video" -- "$cur"))
            return ;;
    esac

    local options=""
    case ${words[1]} in
        sync) options="--job-type --from-date --to-date --page-limit --full --overwrite-metadata --json-indent
                       --job-types-to-download --no-download --embed-metadata --concurrency --image-format
                       --request-interval --connection" ;;
        download) options="--job-types-to-download --concurrency --repair --embed-metadata --connection" ;;
        search) options="--type --from-date --to-date --rating --liked --with-images --oldest-first --limit" ;;
        stats|verify) options="--job-types-to-download" ;;
        reindex) options="--image-format" ;;
        export) options="--format --output" ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$options $common" -- "$cur"))
    fi
} && complete -F _mj_archiver_cli mj-archiver-cli
