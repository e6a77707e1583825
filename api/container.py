"""The composition root: every service the API uses, built once per process in the lifespan from the one
``Settings`` object, and kept on ``app.state.services``. The dependencies in ``api.deps`` hand these out;
nothing is built per request (the services hold no per-request state: the actor and the client's access
are arguments of each call)."""

from __future__ import annotations

from dataclasses import dataclass

from core.settings import Settings
from graph.audit_buffer import AuditBuffer
from graph.domain_cache import DomainDirectory
from graph.driver import Graph
from graph.healthcard import Neo4jNonceStore
from graph.name_index import NameIndexer
from graph.tokens import RevocationList
from healthcard.runtime import HealthCardRuntime
from services.domains import DomainService
from services.egress import EgressPolicy
from services.healthcard import HealthCardService
from services.healthcard_qr import QrService
from services.identities import IdentityReader
from services.lifecycle import LifecycleService, survivorship_rules
from services.matching import MatchEngine, engine_for
from services.notify import SubscriptionService
from services.pix import PixService
from services.registry import ResidentService
from services.review import ReviewService
from services.tokens import TokenService

__all__ = ["AppServices"]


@dataclass(frozen=True, slots=True)
class AppServices:
    """What one API process shares between requests."""

    settings: Settings
    graph: Graph
    audit: AuditBuffer
    names: NameIndexer
    directory: DomainDirectory
    revocations: RevocationList
    healthcard: HealthCardRuntime
    engine: MatchEngine
    residents: ResidentService
    identities: IdentityReader
    lifecycle: LifecycleService
    reviews: ReviewService
    pix: PixService
    accounts: HealthCardService
    qr: QrService
    subscriptions: SubscriptionService
    domains: DomainService
    tokens: TokenService

    @classmethod
    def build(cls, settings: Settings, graph: Graph) -> AppServices:
        """Everything from ``settings`` over ``graph``; call ``start()`` before use and ``close()`` after."""
        audit = AuditBuffer(graph)
        directory = DomainDirectory(graph, ttl=settings.domain_cache_seconds)
        runtime = HealthCardRuntime.build(settings.secrets_dir, settings.healthcard)
        engine = engine_for(settings)
        residents = ResidentService(graph, audit, engine, directory)
        lifecycle = LifecycleService(graph, residents, survivorship_rules(settings.survivorship_file))
        accounts = HealthCardService(graph, runtime, residents, audit)
        return cls(
            settings=settings,
            graph=graph,
            audit=audit,
            names=NameIndexer(graph, interval=settings.name_index_seconds),
            directory=directory,
            revocations=RevocationList(graph, ttl=settings.token_revocation_cache_seconds),
            healthcard=runtime,
            engine=engine,
            residents=residents,
            identities=IdentityReader(graph, audit),
            lifecycle=lifecycle,
            reviews=ReviewService(graph, residents, lifecycle),
            pix=PixService(graph, audit, directory),
            accounts=accounts,
            qr=QrService(graph, runtime, accounts, Neo4jNonceStore(graph), audit),
            subscriptions=SubscriptionService(graph, EgressPolicy(settings.notify.allowlist)),
            domains=DomainService(graph),
            tokens=TokenService(graph),
        )

    def start(self) -> None:
        self.audit.start()
        self.names.start()

    def close(self) -> None:
        self.healthcard.close()
        self.names.stop()
        self.audit.stop()
