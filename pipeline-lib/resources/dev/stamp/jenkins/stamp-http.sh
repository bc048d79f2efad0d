# Read by immutableDeploy (libraryResource) and prepended to each `sh` that calls the controller.
#
#   stamp_http METHOD URL BODY MAX_SECONDS ACCEPT
#
# prints one line `STAMP-HTTP <curl exit code> <HTTP status>`, one line `STAMP-CURL <curl's error,
# on one line>`, then the answer's body. The bearer token comes from $STAMP_TOKEN (bound by
# withCredentials) and reaches curl on its standard input (`-H @-`): it is never part of a command
# line, of this script or of the build log. POSIX sh (Jenkins runs `sh -xe`; tracing is turned off
# here so no expanded line is printed, and errors are reported, not fatal).
set +x +e

stamp_http() {
  _method=$1 _url=$2 _body=$3 _max=$4 _accept=$5
  _out=$(mktemp) || return 1
  _err=$(mktemp) || { rm -f "$_out"; return 1; }
  if [ -n "$_body" ]; then
    set -- --data-binary "$_body" -H 'Content-Type: application/json'
  else
    set --
  fi
  if [ -n "${STAMP_CACERT:-}" ]; then
    set -- "$@" --cacert "$STAMP_CACERT"
  fi
  _status=$(printf 'Authorization: Bearer %s\n' "$STAMP_TOKEN" \
    | curl -sS -N --connect-timeout 10 --max-time "$_max" -X "$_method" \
        -H @- -H "Accept: $_accept" -H 'User-Agent: stamp-pipeline-lib' \
        -o "$_out" -w '%{http_code}' "$@" "$_url" 2>"$_err")
  _rc=$?
  printf 'STAMP-HTTP %s %s\n' "$_rc" "${_status:-000}"
  printf 'STAMP-CURL %s\n' "$(tr '\r\n' '  ' <"$_err" | cut -c1-400)"
  cat "$_out"
  rm -f "$_out" "$_err"
  return 0
}
