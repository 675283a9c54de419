"""Berdaya: the management information system of the KUBE programme."""
