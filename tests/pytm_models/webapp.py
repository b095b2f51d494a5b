#!/usr/bin/env python3
"""A pytm model in pytm's usual style, written for threatlib's tests (after the shape of pytm's own example)."""

from pytm import TM, Actor, Boundary, Classification, Data, Dataflow, Datastore, Lambda, Process, Server

tm = TM("Web shop")
tm.description = "A small web shop: customers, a web server, a database and a thumbnail lambda."
tm.isOrdered = True

internet = Boundary("Internet")
server_db = Boundary("Server/DB")

user = Actor("Customer")
user.inBoundary = internet

web = Server("Web Server")
web.OS = "Ubuntu"
web.controls.isHardened = True
web.controls.sanitizesInput = False
web.controls.encodesOutput = True

db = Datastore("SQL Database")
db.OS = "CentOS"
db.controls.isHardened = False
db.inBoundary = server_db
db.isSQL = True

thumbnails = Lambda("Thumbnail lambda")
worker = Process("Order worker")

card = Data("Card number", classification=Classification.SECRET, isPII=True)
order = Data("Order", classification=Classification.RESTRICTED, isPII=True)

user_to_web = Dataflow(user, web, "Place order")
user_to_web.protocol = "HTTP"
user_to_web.dstPort = 80
user_to_web.data = [order, card]

web_to_db = Dataflow(web, db, "Store order")
web_to_db.protocol = "MySQL"
web_to_db.data = order

web_to_worker = Dataflow(web, worker, "Queue order")
worker_to_lambda = Dataflow(worker, thumbnails, "Make thumbnail")

if __name__ == "__main__":
    tm.process()
