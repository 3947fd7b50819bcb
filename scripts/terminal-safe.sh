#!/usr/bin/env bash
# A filter for text a document controls (OCR text, QR payloads) on its way to a terminal: drops the
# C0 control characters but newline and tab (ESC starts the sequences that move the cursor, retitle
# the window or rewrite the clipboard), DEL, and the C1 controls as UTF-8 (U+0080-U+009F, CSI among
# them). Everything else passes unchanged.
#   some-command | scripts/terminal-safe.sh
set -euo pipefail
LC_ALL=C tr -d '\000-\010\013-\037\177' | LC_ALL=C sed -e 's/\xc2[\x80-\x9f]//g'
