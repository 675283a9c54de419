"""The default monev checklist, a few questions per empowerment effort, in the office's language as the Dinas would
type its own; the Dinas edits it afterwards. Installed by migration 0002 and, on a flushed test database, by the
demo."""

from typing import Any

QUESTIONS = [
    ("manusia", "m_trained", "Anggota telah mengikuti bimbingan/pelatihan"),
    ("manusia", "m_active", "Semua anggota aktif dalam kegiatan usaha"),
    ("manusia", "m_skills", "Anggota menguasai keterampilan teknis usahanya"),
    ("usaha", "u_running", "Usaha berjalan dan ada penjualan rutin"),
    ("usaha", "u_aid_used", "Bantuan dibelanjakan sesuai rencana usaha (RAB)"),
    ("usaha", "u_assets", "Aset bantuan ada dan terpelihara"),
    ("usaha", "u_books", "Buku kas sesuai dengan uang dan bukti yang ada"),
    ("lingkungan", "l_environment", "Usaha tidak merusak lingkungan"),
    ("lingkungan", "l_neighbours", "Usaha melibatkan atau bermanfaat bagi tetangga"),
    ("lingkungan", "l_iks", "IKS dipungut dan digunakan untuk kesetiakawanan sosial"),
    ("kelembagaan", "k_officers", "Pengurus (ketua, sekretaris, bendahara) menjalankan tugasnya"),
    ("kelembagaan", "k_meetings", "Pertemuan kelompok rutin dengan notulen"),
    ("kelembagaan", "k_rules", "Aturan kelompok (AD/ART) disepakati dan dijalankan"),
    ("kelembagaan", "k_facilitator", "Pendamping hadir dan membantu memecahkan masalah"),
]


def install_questions(model: Any) -> None:
    """Add the default questions that are missing (`model`: the real model, or a migration's historical one)."""
    for order, (bina, code, text) in enumerate(QUESTIONS, start=1):
        model.objects.get_or_create(code=code, defaults={"bina": bina, "text": text, "order": order})
