-- wrk script: POST the DER OCSP request in $OCSP_REQUEST to /ocsp (RFC 6960 Appendix A.1).
local f = assert(io.open(os.getenv("OCSP_REQUEST"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/ocsp-request"
