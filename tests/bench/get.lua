-- wrk script: GET the URL given on wrk's command line with a session cookie.
-- Environment: CD_COOKIE ("name=value" of the session cookie).
wrk.method = "GET"
wrk.headers["Cookie"] = os.getenv("CD_COOKIE")
