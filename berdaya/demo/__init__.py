"""The demo scenario for Kabupaten Paser (synthetic people only), one module per area, run by `scenario.create_demo`.

The demo sits above every app: it imports the apps and goes through their services, and no app imports it.
"""
