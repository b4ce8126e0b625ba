"""Demo data for `make run`. This app sits on top of all the others: each app owns its demo data
(`<app>/demo.py`) and this app's `seed_demo` command chains them."""
