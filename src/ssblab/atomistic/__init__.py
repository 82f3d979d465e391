"""Atomistic calculations with a universal ML potential (CHGNet) through ASE.

Binding energies of Li at interface phases and Li migration barriers (NEB),
the quantities the seed papers computed with DFT. Energies in eV, lengths in Å.
torch and chgnet are imported lazily, only when a calculation runs.
"""
