"""A Django example of graphinpaint: ``POST /inpaint`` with an image and a mask (white = hole).

Run it from the ``examples`` folder (Django comes with ``pip install django``)::

    cd examples && python -m django_app runserver 127.0.0.1:8001
    curl -F image=@data/astronaut.png -F mask=@data/astronaut_scratches.png \\
         http://127.0.0.1:8001/inpaint -o restored.png

The fields and answers are those of ``examples/flask_app.py``: both call
:func:`graphinpaint.web.restore_request`.
"""
