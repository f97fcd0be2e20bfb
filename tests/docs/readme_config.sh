#!/usr/bin/env bash
# Checks that the README's configuration table has a row for every variable a service
# declares, with the same default: usage: readme_config.sh README.md <service binary>…
set -euo pipefail
readme=$1
shift
missing=0
for bin in "$@"; do
    while IFS= read -r row; do
        name=$(printf '%s\n' "$row" | awk -F'|' '{print $2}' | tr -d ' `')
        if ! grep -qF -- "$row" "$readme"; then
            echo "README.md: no row, or a different one, for $name from $(basename "$bin"):" >&2
            echo "  want: $row" >&2
            missing=$((missing + 1))
        fi
    done < <("$bin" --config-help)
done
if [ "$missing" -gt 0 ]; then
    exit 1
fi
echo "README.md documents every variable of: $(for b in "$@"; do basename "$b"; done | tr '\n' ' ')"
