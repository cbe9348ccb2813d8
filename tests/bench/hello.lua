-- wrk script for the hello baseline: the same request shape as get.lua (a cookie header), no session behind it.
wrk.method = "GET"
wrk.headers["Cookie"] = "cd_session=baseline"
