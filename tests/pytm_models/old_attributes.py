"""Written for threatlib's tests: attribute names from pytm before 1.2, set on the elements themselves."""

from pytm import TM, Actor, Dataflow, Datastore, Server

tm = TM("Legacy shop", description="A shop modelled in the style of pytm's early examples.")
user = Actor("Shopper")
web = Server("Shop web")
web.isHardened = True
web.sanitizesInput = False
web.encodesOutput = True
web.authorizesSource = False
db = Datastore("Shop DB")
db.isSQL = True
db.isEncrypted = False
flow = Dataflow(user, web, "Browse")
flow.protocol = "HTTP"
flow.isEncrypted = False
Dataflow(web, db, "Query")

if __name__ == "__main__":
    tm.process()
