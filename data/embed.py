#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# placeholder: being written
import sys
out = sys.argv[sys.argv.index('--output') + 1]
open(out, 'w').write('/* generated */\nint data_embedded_placeholder;\n')
