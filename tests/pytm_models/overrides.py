"""Written for threatlib's tests: findings overridden with a response, one forcing a threat that would not match."""

from pytm import TM, Actor, Dataflow, Finding, Server

tm = TM("Booking", description="A booking site.")
guest = Actor("Guest")
site = Server("Booking site")
site.controls.sanitizesInput = True
site.controls.encodesOutput = True
site.overrides = [
    Finding(threat_id="INP02", response="mitigated", cvss="4.3"),
    Finding(threat_id="INP03", response="accepted: the site serves no server-side includes"),
]
Dataflow(guest, site, "Book a room", protocol="HTTPS")

if __name__ == "__main__":
    tm.process()
