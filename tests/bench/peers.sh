# Sourced by tests/bench/run-bench: writes the peer scripts the way SlapOS generates them.
# Nothing here is run on its own.

# write_cookbook_port_check PATH HOST PORT
# slapos.cookbook:check_port_listening (SLAPOS.md 3.1): a zc.buildout script whose #! line is
# the instance's Python, addr = ("<hostname>", <port>), socket.create_connection with no
# timeout; on failure "<host> on <port> isn't listening" on stderr and exit 127; on success
# nothing, exit 0. The SR Python is Debian's /usr/bin/python3 here.
write_cookbook_port_check() {
  cat >"$1" <<EOF
#!/usr/bin/python3
import socket
import sys

hostname = "$2"
port = $3
addr = (hostname, port)
try:
  socket.create_connection(addr).close()
except (socket.error, socket.timeout):
  sys.stderr.write("%s on %s isn't listening\n" % addr)
  sys.exit(127)
EOF
  chmod 0700 "$1"
}

# write_cookbook_url_check PATH URL TIMEOUT_FILE
# slapos.cookbook:check_url_available, template check_url.in (SLAPOS.md 3.2): #!dash, TIMEOUT=20
# unless the timeout file is non-empty and all digits, then
#   curl -g -k -sL $URL -w %{http_code} --max-time $TIMEOUT -o /dev/null
# and the recipe's decision sequence and messages, all on stderr (the exit-7 branch is dead
# code there too: $? has been reset by the preceding `if`). check-secure=0, http_code=200, no
# client certificate: the recipe's defaults. curl_path is an absolute path, as in the recipe.
write_cookbook_url_check() {
  cat >"$1" <<EOF
#!/bin/dash
# BEWARE: This file is operated by slapgrid
# BEWARE: It will be overwritten automatically

URL="$2"
TIMEOUT=20
TIMEOUT_FILE="$3"
if [ -s "\$TIMEOUT_FILE" ]; then
  VALUE=\$(cat "\$TIMEOUT_FILE")
  case "\$VALUE" in
    ''|*[!0-9]*) ;;
    *) TIMEOUT=\$VALUE ;;
  esac
fi

if [ -z "\$URL" ]; then
  echo "No URL specified." >&2
  exit 3
fi

CODE=\$(/usr/bin/curl -g -k -sL \$URL -w %{http_code} --max-time \$TIMEOUT -o /dev/null)

if [ \$? -eq 3 ]; then
  echo "URL malformed: \$URL." >&2
  exit 1
fi

if [ \$? -eq 7 ]; then
  echo "Failed to connect to host: \$URL." >&2
  exit 1
fi

if [ -z "\$CODE" ] || [ "\$CODE" = "000" ]; then
  echo "\$URL is not available (server not reachable)." >&2
  exit 1
fi

if [ "0" = "1" ] && [ "\$CODE" -eq 401 ]; then
  echo "\$URL is protected (returned \$CODE)." >&2
  exit 0
fi

if ! [ "\$CODE" -eq 200 ]; then
  echo "\$URL is not available (returned \$CODE, expected 200)." >&2
  exit 2
fi
EOF
  chmod 0700 "$1"
}

# write_python_urllib_check PATH URL
# The plain-Python way: urllib.request with a timeout, status 200 expected.
write_python_urllib_check() {
  cat >"$1" <<EOF
#!/usr/bin/python3
import sys
import urllib.request

url = "$2"
try:
  code = urllib.request.urlopen(url, timeout=20).getcode()
except Exception as error:
  sys.stderr.write("%s is not available: %s\n" % (url, error))
  sys.exit(1)
if code != 200:
  sys.stderr.write("%s returned %s, expected 200\n" % (url, code))
  sys.exit(2)
EOF
  chmod 0700 "$1"
}
