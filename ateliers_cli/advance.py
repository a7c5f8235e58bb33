"""``ateliers advance``: leave the current stage, with its documents, all or nothing.

``plan_advance`` checks the gate and computes everything (documents, the new
consultation.yaml); ``apply`` writes it in one atomic change, then commits and
tags when asked. ``--dry-run`` is the plan alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ateliers_cli import gitrepo
from ateliers_cli.check import check
from ateliers_cli.checks.dates import transition_warnings
from ateliers_cli.clock import now
from ateliers_cli.documents import OutputFile, build_stage_documents
from ateliers_cli.errors import AteliersError, Diagnostic, error
from ateliers_cli.fsutil import lock, write_all
from ateliers_cli.gates import placeholders_left, unmet
from ateliers_cli.load import load
from ateliers_cli.render.french import pluriel
from ateliers_cli.stages import Stage
from ateliers_cli.writer import WritePlan, conflict_error, plan_writes
from ateliers_cli.yamledit import edit_file


class GateClosed(AteliersError):
    """The current stage's exit conditions are not met (exit code 1)."""


@dataclass
class Transition:
    root: Path
    de: Stage
    vers: Stage
    when: dt.datetime
    par: str
    documents: list[OutputFile]
    writes: WritePlan
    consultation_yaml: str
    commit: bool = False
    warnings: list[Diagnostic] = field(default_factory=list)
    # what the documents of this passage will say that deserves a look (early closure, dates)
    remarques: list[Diagnostic] = field(default_factory=list)

    @property
    def tag(self) -> str:
        return f"etape-{self.de.number}-{self.de.value}"

    def summary(self) -> dict[str, Any]:
        return {
            "de": self.de.value,
            "vers": self.vers.value,
            "date": self.when.isoformat(timespec="seconds"),
            "par": self.par,
            "documents": [
                {"chemin": d.path, "titre": d.title, "format": d.kind, "public": d.public} for d in self.documents
            ],
            "commit": self.commit,
            "remarques": [{"chemin": d.path, "ligne": d.line, "message": d.message} for d in self.remarques],
            "etiquette": self.tag if self.commit else None,
        }


def plan_advance(
    root: Path,
    *,
    par: str | None = None,
    allow_dirty: bool = False,
    commit: bool = False,
    force: bool = False,
    when: dt.datetime | None = None,
    dry_run: bool = False,
) -> Transition:
    """Everything ``advance`` would do, computed without writing anything.

    With ``dry_run``, a tree not committed in git is one more refusal listed with the gate's
    (instead of stopping before them): a simulation shows everything that would block.
    """
    loaded = load(root, cache=True)  # the same per-file cache as check: a changed file is always read again
    c = loaded.consultation
    if c.etape is Stage.CLOTUREE:
        raise AteliersError(
            "la consultation est clôturée : il n'y a plus d'étape après les restitutions publiques",
            hint="« ateliers render » régénère ses documents, « ateliers site » son site public",
        )
    in_git = gitrepo.is_repo(root)
    if in_git:
        conflicts = gitrepo.merge_in_progress(root)
        if conflicts:
            listing = ", ".join(conflicts[:5]) + (" …" if len(conflicts) > 5 else "")
            raise AteliersError(
                f"une fusion git n'est pas terminée ({listing}) : la consultation n'avance pas au milieu d'une fusion",
                hint="réglez les conflits (« ateliers check » montre les lignes <<<<<<< qui restent), puis "
                "« git add » et « git commit » ; ou abandonnez la fusion (« git merge --abort »), puis relancez",
            )
    if commit and in_git:
        tag = f"etape-{c.etape.number}-{c.etape.value}"  # Transition.tag, known before anything is computed
        if gitrepo.tag_commit(root, tag):
            raise AteliersError(
                f"l'étiquette git « {tag} » existe déjà : cette étape a déjà été enregistrée ; rien n'a été écrit",
                hint=f"si elle est de trop (une étape annulée), supprimez-la (« git tag -d {tag} ») puis relancez ; "
                "sinon, vérifiez l'étape indiquée dans consultation.yaml (« ateliers status »)",
            )
        gitrepo.check_private_ignored(root)
    if commit and not in_git:
        raise AteliersError(
            "--commit demande un dépôt git, et ce dossier n'en est pas un",
            hint="lancez « git init » dans le dossier (ou « ateliers init --git » pour une nouvelle consultation)",
        )
    refusals: list[Diagnostic] = []
    if in_git and not allow_dirty:
        dirty = gitrepo.dirty_files(root)
        if dirty:
            listing = ", ".join(dirty[:5]) + (" …" if len(dirty) > 5 else "")
            message = (
                f"des modifications ne sont pas enregistrées dans git ({pluriel(len(dirty), 'fichier', 'fichiers')} : "
                f"{listing})"
            )
            hint = "enregistrez-les d'abord (git add -A && git commit), ou relancez avec --allow-dirty"
            if not dry_run:
                raise AteliersError(message, hint=hint)
            refusals.append(error("git", 0, message, hint, "git-modifie"))
    report = check(loaded)
    blocking = refusals + unmet(c) + report.errors + placeholders_left(report.warnings)
    if blocking:
        raise GateClosed(
            f"impossible de quitter l'étape « {c.etape.label} » : "
            f"{pluriel(len(blocking), 'condition non remplie', 'conditions non remplies')}",
            details=sorted(set(blocking)),
            hint="corrigez ces points (« ateliers status » les rappelle), puis relancez « ateliers advance »",
        )
    de = c.etape
    vers = de.next
    assert vers is not None
    when = when or now()
    who = par or gitrepo.user_name(root)
    documents = build_stage_documents(c, de, when)
    writes = plan_writes(root, documents, force=force)
    if writes.conflicts:
        raise conflict_error(writes)

    previous_commit = ""
    if commit and c.historique and not c.historique[-1].commit:
        last = Stage(c.historique[-1].de)
        previous_commit = gitrepo.tag_commit(root, f"etape-{last.number}-{last.value}")

    def change(data: Any) -> None:
        data["etape"] = vers.value
        history = data.get("historique")
        if history is None:
            data["historique"] = history = []
        if previous_commit and len(history):
            history[-1]["commit"] = previous_commit
        history.append({"de": de.value, "vers": vers.value, "date": when.isoformat(timespec="seconds"), "par": who})

    new_yaml = edit_file(root / "consultation.yaml", change)
    return Transition(
        root,
        de,
        vers,
        when,
        who,
        documents,
        writes,
        new_yaml,
        commit,
        report.warnings,
        transition_warnings(c, de, when),
    )


def apply(t: Transition) -> str:
    """Write the transition in one atomic change (documents first, consultation.yaml last).

    Returns the commit id when ``--commit`` was asked, else an empty string.
    """
    changes: dict[str, bytes | str | None] = dict(t.writes.changes)
    # consultation.yaml sorts after documents/ and forums/: renamed last, so a kill
    # during the renames never shows the new stage without its documents.
    changes["consultation.yaml"] = t.consultation_yaml
    write_all(t.root, changes)
    if not t.commit:
        return ""
    message = (
        f"Étape {t.de.number} terminée : {t.de.label}\n\n{t.de.value} → {t.vers.value}, par {t.par}, le "
        f"{t.when.isoformat(timespec='minutes')}.\nDocuments : {len(t.documents)}."
    )
    return gitrepo.commit_and_tag(
        t.root, message, t.tag, f"{t.de.label} : étape terminée le {t.when.date().isoformat()}"
    )


def advance(root: Path, **options: Any) -> tuple[Transition, str]:
    """Plan and apply under the consultation's lock."""
    with lock(root, "ateliers advance"):
        t = plan_advance(root, **options)
        return t, apply(t)
