"""Written for threatlib's tests: the TM is built in a function and not called `tm`."""

from pytm import TM, Actor, Dataflow, Lambda, Process, Server


def build() -> TM:
    model = TM("Renamed", description="A TM that is never bound to a global named tm.")
    client = Actor("Mobile client")
    gateway = Server("Gateway")
    resizer = Lambda("Resizer")
    batch = Process("Batch job")
    Dataflow(client, gateway, "Upload photo", protocol="HTTP")
    Dataflow(gateway, resizer, "Resize")
    Dataflow(resizer, batch, "Index")
    return model


if __name__ == "__main__":
    threat_model = build()
    threat_model.process()
