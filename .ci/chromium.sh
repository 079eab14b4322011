# Sourced by the browser checks: sets $browser to a headless-capable Chromium, installing Debian's
# chromium when there is none (as root here; a GitHub runner, not root, has Google Chrome instead).
browser=$(command -v chromium || command -v google-chrome || true)
if [ -z "$browser" ]; then
  sudo=$([ "$(id -u)" = 0 ] || echo sudo)
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
  browser=$(command -v chromium)
fi
