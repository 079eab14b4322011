#!/usr/bin/env bash
# The Lambda zips as provided.al2023 needs them: `bootstrap` alone at the zip root, executable,
# and no newer glibc than Amazon Linux 2023's 2.34 (build/check-glibc.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
status=0
for function in extract transform load; do
  archive="artifacts/$function.zip"
  python3 - "$archive" <<'PY' || status=1
import stat, sys, zipfile
path = sys.argv[1]
try:
    entries = zipfile.ZipFile(path).infolist()
except (OSError, zipfile.BadZipFile) as error:
    sys.exit(f"FAIL {path}: {error} (run build/package-lambdas.sh)")
names = [e.filename for e in entries]
if names != ["bootstrap"]:
    sys.exit(f"FAIL {path} holds {names}, expected only bootstrap at the root")
mode = entries[0].external_attr >> 16
if not mode & stat.S_IXUSR:
    sys.exit(f"FAIL {path}: bootstrap is not executable (mode {oct(mode)})")
print(f"ok   {path}: bootstrap {entries[0].file_size} bytes, {entries[0].compress_size} zipped, mode {oct(stat.S_IMODE(mode))}")
PY
done
bash build/check-glibc.sh || status=1
exit $status
