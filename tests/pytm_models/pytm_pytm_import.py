"""Written for threatlib's tests: the classes imported from pytm.pytm, as older scripts do."""

from pytm.pytm import TM, Boundary, Dataflow, Datastore, ExternalEntity, Process

tm = TM("Payments", description="A payment processor called by a shop's backend.")
dmz = Boundary("DMZ")
shop = ExternalEntity("Shop backend")
processor = Process("Payment processor", inBoundary=dmz)
ledger = Datastore("Ledger", inBoundary=dmz)
ledger.controls.isEncryptedAtRest = True
Dataflow(shop, processor, "Charge card", protocol="HTTPS", isEncrypted=True)
Dataflow(processor, ledger, "Record charge")

if __name__ == "__main__":
    tm.process()
