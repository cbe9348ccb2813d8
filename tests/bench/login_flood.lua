-- wrk script: a login flood, wrong passwords for one login (issue 14, finding 4).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"login":"dispatch2","password":"wrong-password-guess"}'
