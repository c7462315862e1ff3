"""The vendor's published RSA-1024 TEST key pairs, for tests and the simulator.

Every key here is public: it was printed in the vendor's documentation, demo repositories or reference
client. It is test material only and must NEVER be used in production; anyone can sign or decrypt with it.

Keys are kept exactly as the platform exchanges them: base64 DER without PEM armour or whitespace,
PKCS#8 for private keys and X.509 SubjectPublicKeyInfo for public keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Final

__all__ = [
    "ALL_TEST_KEYS",
    "APPLY_API_EXAMPLE",
    "MESSAGE_API_EXAMPLE",
    "POSTMAN_ROBOT",
    "SIGN_DEMO",
    "TRADE_H5_COMPANY",
    "TestKeyPair",
]


@dataclass(frozen=True, slots=True)
class TestKeyPair:
    """A published test RSA key pair.

    Attributes:
        name: a short identifier of where the pair comes from.
        private_key: base64 PKCS#8 DER of the private key (left out of the repr).
        public_key: base64 X.509 SubjectPublicKeyInfo DER of the public key.
        api_key: the Open API ``apiKey`` published with the pair, if any.
    """

    __test__: ClassVar[bool] = False  # not a pytest test class despite the name

    name: str
    private_key: str = field(repr=False)
    public_key: str
    api_key: str | None = None


SIGN_DEMO: Final = TestKeyPair(
    name="sign_demo",
    private_key=(
        "MIICdwIBADANBgkqhkiG9w0BAQEFAASCAmEwggJdAgEAAoGBAMElXgnHKpoM/y/5R7edOjcK52tAHjLaKExjxRJn"
        "Tb03gIZfXLJ+SKhcU6wmvS/fpyOhQ2xLtM4cxWbKzECl+8pEn7OBRAw7KTFQCCIcbXTuGE8w3yF59PH56gzrQ/S1"
        "CRVIBBYFFKEdds0MKaenAbipPkecxrnly35bA1RwstQNAgMBAAECgYAOTu1bfhSq2uGgtS/Z61zfrQAd0t8p1z17"
        "Az0bMunwZYcw7SmZ038gcc6FB02mmUPxgMXU5Prc9gatqcJd263+WgQqSWCSBzMS1FK6t5RHHw6JK9SoAdan3GL5"
        "dbCeeprJbXFtXrnc6nRc6NOrPlI7VH8j+OKNj0Rh7Zqee/AbJQJBAOdx/rheoByOOgSXsSpiLcB6bS/zjXWJeR1k"
        "Ewn3gM+g3D/vhoQKrJEcjy45b2dzDpxUjuEEGCflmAcKujy8S/cCQQDVoyu2jdFfI/RtKAq9eS5uOl7zzL19L/Tu"
        "TT9lEIsjTBBQArH7GDYFZ2eeUQbXceR9GIU3OWg5SYwpcUty8XcbAkBO/jlR8/nxxRlIN/3f2WKEL0TU+OtvElyk"
        "C2P0IuVz+BM0PyxKJNqBLJ4xyKidRkfWU4XwhtU3yMT6ok6uLBZBAkEAhStVUFJOtNOgxXo0V692NdfE4Iw7ghGm"
        "x/T3E3SghrwfXwCPGUoaQnwWpyUy8pFYMHJcd/Qc97jU2fB5a4kBCQJBAJi6wHIMK8wWaoegZpnSyPC66a7EoaxH"
        "R04IEZIlXvR1RVORYv9Xghx/VuHBjhMP0LtTWQ61Tc04acLvZDNq8FM="
    ),
    public_key=(
        "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDBJV4JxyqaDP8v+Ue3nTo3CudrQB4y2ihMY8USZ029N4CGX1yy"
        "fkioXFOsJr0v36cjoUNsS7TOHMVmysxApfvKRJ+zgUQMOykxUAgiHG107hhPMN8hefTx+eoM60P0tQkVSAQWBRSh"
        "HXbNDCmnpwG4qT5HnMa55ct+WwNUcLLUDQIDAQAB"
    ),
)
"""K1: the key pair of the vendor's ``sign-demo`` SHA1withRSA demo (scheme A vectors A-1..A-6).

The simulator also signs Bridge callbacks with it."""

APPLY_API_EXAMPLE: Final = TestKeyPair(
    name="apply_api_example",
    api_key="47b471e57c394e8fbc18535805e04016",
    private_key=(
        "MIICdQIBADANBgkqhkiG9w0BAQEFAASCAl8wggJbAgEAAoGBAKvivs7OSD2kYMGjDoOQ6ATsnLV7GMZgJUtDW5N4"
        "RS+ZEG/unVSgbBxfVRYvJ3TQ7/bmf24Brs+dqEhWrlXHgdxe2ieQ4IBZb94jScUW2GWBlpz1ULCB1UIYF0sp6fzf"
        "adgeCkJrEdtC5xcp0dbg6KzAJOT2Qg6fuELt6M6PQsQlAgMBAAECgYA96ixfJDEjey2bMpgMzkq1U2HTgWbYNlPY"
        "u4emJEGPtqwUFbi4fhzTT4e/uPaWfpihsD+gqZyFjr3KaObdYUMmPX2gNVn1qtcTICF4Y0MPFhaGIb8hUzi/xJpO"
        "UYinOFzZpE3bt1EUvIlIvDzdqDKD6gEs6kh2ana2JPXzZAZiwQJBAOZ3PbrqDNM239/TvD2yzG6Z35thInH1P4zi"
        "Shn3saOwU5vNYRt4ArfgNYUnjrlSFOYxAtkxr2GCOIUdfiYwd1UCQQC+7fu1FMWFEKnyg2DR0nkaj461EWNgEUD1"
        "nCUDP4d71ccUcf6399faatc3XAqzG7+XApxQpVp+eQIS3QefyHmRAkAJGdRaOTvga15T3GymkxT3mSP3YtKVZXXo"
        "/lamx90/9YqXsHiROSACWtxCMdm0/8TLgkv2f7vJQfcxaoS8xVUxAkAQbNzImT7c0bAtIsxDgL3WYR8/yH0qGJHk"
        "D0jH3MFFEAEOazgkj3fMXICjTJHHEs4KqbjU30THuJVLFiS/xDlhAkA4L4sl3aFVDFo0CUFjSMxFquaYe8QeS8t1"
        "eBpUR7PSJcKS80jKrHk4s8SOSf9/yuU/Kbnki4rUTXpR5fSscOqC"
    ),
    public_key=(
        "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCr4r7Ozkg9pGDBow6DkOgE7Jy1exjGYCVLQ1uTeEUvmRBv7p1U"
        "oGwcX1UWLyd00O/25n9uAa7PnahIVq5Vx4HcXtonkOCAWW/eI0nFFthlgZac9VCwgdVCGBdLKen832nYHgpCaxHb"
        "QucXKdHW4OiswCTk9kIOn7hC7ejOj0LEJQIDAQAB"
    ),
)
"""K2: the key pair in the vendor's ``applyApi`` example response (scheme A vectors A-7..A-9, M-2).

Its ``apiKey`` is ``47b471e57c394e8fbc18535805e04016``."""

POSTMAN_ROBOT: Final = TestKeyPair(
    name="postman_robot",
    api_key="c06842d22f2646fca198466370935576",
    private_key=(
        "MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBAIObxVBYQOTz3mcMJeU5x5ta2Hz7gnYaIgo2AcCh"
        "l7cMZQFljAbzKzXqz4ScEUv2bdpTFaffVOtFUkv50zid40x9FyLUpb/FDFbXZtvevKr+E0bK1R/S4efrWDbuFyIQ"
        "mX0IjHAI02XOqxH2Evk7DwnQde/zY35F8NjKvU5VAzy3AgMBAAECgYAySMILAK1KzSKcnLed7YWmhf9RQYeHOFTp"
        "MdlZkGQ3PDUbY4Es5pwL7bt8H2U8cNtoH3aWvW3ktofLH5jkeO7vLkRQoUxaqH2dnYrvBiv6uUgMVia5qbJTKn7/"
        "2Y/N/5NN9zBBsmXU+eogzXp7izi5j1qbSM93n/nj/IDJ7/wlgQJBAL3VEtC5PjIkIPmX7PuXMWh2t22p2hAA+hZa"
        "86vO2VyBK4kbwoTvkKMIKF6EQQQEkFMITmYb9sZO0ur1mZp7UF0CQQCxe1OECVZW8+z1xFXuKD8iGNJzDqXw4pjN"
        "xQyzJ6eV0ddcc9vH3I9TO0IClf0F7H2pD6Dc1QUh4xYqpm8JUEAjAkEAiGe3IWw6mOUFHNRiYVZ/FkVYAODv5FgP"
        "XEj2lxoHbkUS926PE97g24VdHK2D2lM9MaziSNUHOfAh9tuMCElbsQJAG5JCDh/5NrbcF+3xP3cnH5/liZQ7+Sjq"
        "fgTfjTFa2m5n22fwO6Mq7M4m2gn87Z+ogcv4vHWnP3VsqyGB3FuIKwJAe/XSVeWuTFQntsMSViQBzU0TvpYWjT8I"
        "DJpiEX29M0I9r3lQXHIA6OKvN5reygeXMNRZH13D0vVHj7/YzB6rqQ=="
    ),
    public_key=(
        "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCDm8VQWEDk895nDCXlOcebWth8+4J2GiIKNgHAoZe3DGUBZYwG"
        "8ys16s+EnBFL9m3aUxWn31TrRVJL+dM4neNMfRci1KW/xQxW12bb3ryq/hNGytUf0uHn61g27hciEJl9CIxwCNNl"
        "zqsR9hL5Ow8J0HXv82N+RfDYyr1OVQM8twIDAQAB"
    ),
)
"""K3: the B-side Postman robot-config key (scheme A vectors A-10..A-12).

The vendor printed only the private key; the public key is derived from it. Its ``apiKey`` is
``c06842d22f2646fca198466370935576`` (company 360)."""

TRADE_H5_COMPANY: Final = TestKeyPair(
    name="trade_h5_company",
    private_key=(
        "MIICeAIBADANBgkqhkiG9w0BAQEFAASCAmIwggJeAgEAAoGBALVIvQl1lFNwdnWZ6y7yPvgR4n1v5u7nC+MQRNOa"
        "jZ2pBduPGAlVuqvxvFL7GFoKyydJDIxvfOYiYRt7o+Bdl54dE+yw0krCEzpOvU14AEx5zCCewnFGIMK3BdfNgh1X"
        "IehokbGN+/1lydCoo3kfI4OJXLh4mNIBopxbJmZ6GhlDAgMBAAECgYEApg3F0qdYQYHvkFN4AR22nkbLnzjkYQtU"
        "cR4S3X1hoPwVOIN/cfWMMzoP1jbYnInsgsS/8Neioa72IlWDy94PJR8W5yQ68Nwd1bc461Q9G2xr9+MxgvI+6yxk"
        "8MI5E1vET7yTo9z/cMWlHj5HSKC3hV2yefxjE22TnxuxJW7PflkCQQD9ClWkpnblUjkBFU39/nw6YpvQMOkDVmrX"
        "x7+1+4MPYevmYHIlFXrVzMlT6KhJ9Qc/h3TTaXSmCjDizEp7dT2NAkEAt2eMR3oLxgEa3lndynnEBxtXYHvioDvg"
        "56xED+Six69s4K2w/suGhP69OcfFhxPKI7fMU36kT7kQzDqHzO72DwJBANT9afFZnSKR/yGGSUvOdcq/TeAEC16f"
        "0vcmT5xixIKiLeqQrAPC/M4RvjU+1MjL0voKjq+VSHaqhVOiGd+pY9ECQQCBnhfhCBs8A9nmXSLHj0kAMM2O7d8b"
        "mVX4xaGQjeiRMaTEIV0epd5bLeGz7UDnlw/cMHCibbVYdpWtkIwbRKL3AkBn5o/tC0B8/T8mPKIQz4ZnvqxP29j3"
        "kET9s0gW1+ZuCZDnsolLU28oPYmVBkfEYQLfYTED+tGzmz/fGFgyDT9C"
    ),
    public_key=(
        "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC1SL0JdZRTcHZ1mesu8j74EeJ9b+bu5wvjEETTmo2dqQXbjxgJ"
        "Vbqr8bxS+xhaCssnSQyMb3zmImEbe6PgXZeeHRPssNJKwhM6Tr1NeABMecwgnsJxRiDCtwXXzYIdVyHoaJGxjfv9"
        "ZcnQqKN5HyODiVy4eJjSAaKcWyZmehoZQwIDAQAB"
    ),
)
"""K4: the company key pair embedded in the vendor's ``trade-h5`` client (scheme B).

The simulator's default company key for encrypted Client/Manager bodies."""

MESSAGE_API_EXAMPLE: Final = TestKeyPair(
    name="message_api_example",
    private_key=(
        "MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBAJrs9LzXaqbtEyI41sStUKXt+M21vWBiBA6xrFU6"
        "an/BrQQfxbxBndWu3PAX0Vs971yu0RLlEdSRXgs1oCmT5YOcXp1DbXtScL5LbBvfRLus8y0cGLsN7JF86pmQMZuy"
        "idMzRZb9YwzZ4c0FsXit8AoibMV7ZmQCXYYwfMddzhpVAgMBAAECgYAo3sP9oXKQUNCQYaA+yF4TOAE/+2bXK2RY"
        "oASPg1afF2/WO6+FZ2YE/hlo+U+Qm3ku4StkqauXgTXnDSGQdmTAdxh9YO3Aj81qn6VK6tlGkzWcKfcO+NqNyp3A"
        "wfF9aSackBi/rLH8GNNQZtoNBy8zQ6KBD2sQQRITuMu7hi4VwQJBANoY3Fi9rIgs3t4JifVMtyZC6Fpi9bEoCLEi"
        "zZchwTr24P4mcbni4uV9O0mI9OaqI9nAlet0KVhRaoMxi/ES2nECQQC12ZhxVzHe+wfCyyx/fPMXSr7cwmM1F3lk"
        "5IRa/hCXpVc9ncd/n12TNS7lJwVhqc+tBhWP6i3PSEH0hiyp0QglAkEAh/WNj4iWgMGwIazCovezCRgWrxoX3dt+"
        "J6bxkTCKvA5hTi57IQ1usu9xwTKusQkJllp3WzOr/pGqm6SMf7loEQJAbf6dJ8lfIAnlatzsIH0aqPcMNYna6i01"
        "v2I98LAGp0NaXqnGFxr1ReqAYBlXNvi45mZsum0iomOJiXdzIpCOhQJAAoXt2DlMSrXGIM0j/j56jUKOH0DNsadG"
        "ned6SORnBiPjGr38eZwTxAIkxsoaPXS+9XJcQ5neWkwc46caWU1H1Q=="
    ),
    public_key=(
        "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCa7PS812qm7RMiONbErVCl7fjNtb1gYgQOsaxVOmp/wa0EH8W8"
        "QZ3VrtzwF9FbPe9crtES5RHUkV4LNaApk+WDnF6dQ217UnC+S2wb30S7rPMtHBi7DeyRfOqZkDGbsonTM0WW/WMM"
        "2eHNBbF4rfAKImzFe2ZkAl2GMHzHXc4aVQIDAQAB"
    ),
)
"""K5: the Message API example key pair (scheme C, the Message API's published signing example)."""


ALL_TEST_KEYS: Final[tuple[TestKeyPair, ...]] = (
    SIGN_DEMO,
    APPLY_API_EXAMPLE,
    POSTMAN_ROBOT,
    TRADE_H5_COMPANY,
    MESSAGE_API_EXAMPLE,
)
"""K1..K5 in order."""
