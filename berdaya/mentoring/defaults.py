"""The default environmental-practice checklist (DOMAIN.md §2, bina lingkungan), in the office's language as the Dinas
would type its own items; the Dinas edits it afterwards. Installed by migration 0007 and, on a flushed test
database, by the demo."""

from typing import Any

PRACTICES = [
    ("waste", "Limbah usaha dikelola (dipilah, tidak dibuang ke sungai atau lahan warga)"),
    ("water", "Air digunakan hemat dan air limbah tidak mencemari sumber air warga"),
    ("chemicals", "Bahan kimia (pestisida, pewarna, pengawet) disimpan dan dipakai dengan aman"),
    ("local_materials", "Menggunakan bahan baku lokal dari desa sekitar"),
    ("nuisance", "Tidak menimbulkan bau, asap atau kebisingan yang mengganggu tetangga"),
]


def install_practices(model: Any) -> None:
    """Add the default practices that are missing (`model`: the real model, or a migration's historical one)."""
    for order, (code, text) in enumerate(PRACTICES, start=1):
        model.objects.get_or_create(code=code, defaults={"text": text, "order": order})
