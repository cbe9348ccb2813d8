-- wrk script: create tickets through the JSON API as a logged-in teacher (durable: 201 only after the commit).
-- Environment: CD_COOKIE ("name=value" of the session cookie), CD_CSRF (the session's CSRF token).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cookie"] = os.getenv("CD_COOKIE")
wrk.headers["X-CSRF-Token"] = os.getenv("CD_CSRF")
wrk.body = '{"category":"presentation","priority":"high","title":"Beamer zeigt kein Bild",' ..
           '"description":"Der Beamer geht an, zeigt aber nur Kein Signal, egal welches Kabel.",' ..
           '"room":"B 1.12","asset_tag":"DO-IP-004711"}'
