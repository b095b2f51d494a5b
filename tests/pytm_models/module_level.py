"""Written for threatlib's tests: tm.process() at module level, as many published scripts do."""

from pytm import TM, Actor, Boundary, Dataflow, Datastore, Server

tm = TM("Notes service")
tm.description = "A note-taking service: a browser, an API server and its database."

internet = Boundary("Internet")
cloud = Boundary("Cloud")

browser = Actor("Browser user", inBoundary=internet)
api = Server("Notes API", inBoundary=cloud, OS="Debian")
api.controls.sanitizesInput = True
db = Datastore("Notes DB", inBoundary=cloud, isSQL=True)

Dataflow(browser, api, "Save note", protocol="HTTPS", dstPort=443)
Dataflow(api, db, "Store note", protocol="PostgreSQL")

tm.process()
