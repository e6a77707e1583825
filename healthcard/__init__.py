"""Virtual resident health card (电子健康卡): card ids, QR keys and tokens, scenes, rendering, bank cards.

The modules here are pure or talk only to their own ports (payment and identity-verification
providers over HTTP); everything that needs Neo4j lives in the services that use them.
"""
