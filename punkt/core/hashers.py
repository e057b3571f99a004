from django.contrib.auth.hashers import Argon2PasswordHasher


class PunktArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with OWASP's minimum profile (m=19 MiB, t=2, p=1).

    Staff sign in many times a day; these parameters keep a sign-in near 20 ms on a small
    server while meeting the OWASP Password Storage Cheat Sheet. Hashes made with other
    parameters are upgraded on the next sign-in.
    """

    algorithm = "argon2"
    time_cost = 2
    memory_cost = 19456
    parallelism = 1
