# bash completion for keepwire. The candidates come from keepwire itself (System.CommandLine's
# [suggest] directive), so commands, options and their values are always those of the installed binary.
_keepwire() {
    local IFS=$'\n'
    COMPREPLY=($(keepwire "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null))
    [ ${#COMPREPLY[@]} -eq 0 ] && compopt -o default 2>/dev/null
    return 0
}
complete -F _keepwire keepwire
