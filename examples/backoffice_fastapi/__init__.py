"""A broker's back-office service on FastAPI (see ``app.py``)."""
