-- wrk script: POST tenant(code:"230100"){children{code name}} with the token in $GDBOS_TOKEN.
wrk.method = "POST"
wrk.body = '{"query":"{tenant(code:\\"230100\\"){children{code name}}}"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("GDBOS_TOKEN")

function response(status, headers, body)
  if status ~= 200 or not string.find(body, "230102", 1, true) or string.find(body, '"errors"', 1, true) then
    wrk.thread:stop()
    io.stderr:write("bad answer: " .. status .. " " .. body .. "\n")
  end
end
