"""Virtual resident health card (电子健康卡): the parts that need no graph database.

- ``ehc_id``     card id = HMAC-SHA256 / HMAC-SM3 of the EMPI id (64 upper-case hex)
- ``keys``       ES256 key ring under ``<secrets_dir>/qr-keys``: rotate, retire, JWKS
- ``tokens``     static / dynamic QR tokens (compact JWT), verification, ``NonceStore`` port
- ``scenes``     care-step scenes and their QR rules, business function -> QR type
- ``qr``, ``label``, ``national``   PNG/SVG rendering, print label, national plain form
- ``bank``       Luhn, bank-card token + bank + last four
- ``ports``, ``providers``, ``combined``, ``sandbox``   payment / identity ports, HTTP clients,
  combined payment code (二码合一), sandbox services
- ``errors``     refusals with stable codes; ``config`` the ``EHC_HC_*`` settings
"""
