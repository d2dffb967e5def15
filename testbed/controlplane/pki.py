"""Certificates, keys and tokens for the test bed, made once and kept under .testbed/pki.

Uses the `cryptography` library (already a dependency of ansible-core) rather than
shelling out to openssl, so every file is made the same way on every machine.
"""

import datetime
import ipaddress
import secrets

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from testbed import config

VALIDITY = datetime.timedelta(days=365)


def _write_key(path, key):
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    path.chmod(0o600)


def _load_key(path):
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def _name(common_name, organization=None):
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organization:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    return x509.Name(attributes)


def _issue(subject, key, ca_cert, ca_key, sans=(), usage=ExtendedKeyUsageOID.SERVER_AUTH, is_ca=False):
    now = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject if ca_cert else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
    )
    if not is_ca:
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if sans:
        names = []
        for san in sans:
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(san)))
            except ValueError:
                names.append(x509.DNSName(san))
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return builder.sign(ca_key or key, hashes.SHA256())


def _write_cert(path, cert):
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def ensure():
    """Create whatever is missing under PKI_DIR; existing files are kept (a restart keeps its identity)."""
    pki = config.PKI_DIR
    pki.mkdir(parents=True, exist_ok=True)

    if not (pki / "ca.crt").exists():
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_cert = _issue(_name("stateful-kube-testbed-ca"), ca_key, None, None, is_ca=True)
        _write_key(pki / "ca.key", ca_key)
        _write_cert(pki / "ca.crt", ca_cert)
    ca_key = _load_key(pki / "ca.key")
    ca_cert = x509.load_pem_x509_certificate((pki / "ca.crt").read_bytes())

    apiserver_sans = [
        "127.0.0.1",
        "localhost",
        config.BRIDGE_ADDRESS,
        config.KUBERNETES_SERVICE_IP,
        "kubernetes",
        "kubernetes.default",
        "kubernetes.default.svc",
        "kubernetes.default.svc." + config.CLUSTER_DOMAIN,
    ]
    leaf = {
        "apiserver": (_name("kube-apiserver"), apiserver_sans, ExtendedKeyUsageOID.SERVER_AUTH),
        "apiserver-kubelet-client": (
            _name("kube-apiserver-kubelet-client", "system:masters"),
            (),
            ExtendedKeyUsageOID.CLIENT_AUTH,
        ),
        "kubelet": (
            _name("testbed-kubelet"),
            [config.node_address(i + 1) for i in range(len(config.NODE_NAMES))] + list(config.NODE_NAMES),
            ExtendedKeyUsageOID.SERVER_AUTH,
        ),
    }
    for stem, (subject, sans, usage) in leaf.items():
        if (pki / (stem + ".crt")).exists():
            continue
        key = ec.generate_private_key(ec.SECP256R1())
        _write_key(pki / (stem + ".key"), key)
        _write_cert(pki / (stem + ".crt"), _issue(subject, key, ca_cert, ca_key, sans=sans, usage=usage))

    # Service account tokens are signed with RSA (the controller-manager's token
    # controller and the API server's issuer both want it).
    if not (pki / "sa.key").exists():
        sa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        _write_key(pki / "sa.key", sa_key)
        public = sa_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        (pki / "sa.pub").write_bytes(public)

    if not (pki / "tokens.csv").exists():
        lines = []
        for account, (user, groups) in config.TOKEN_USERS.items():
            token = secrets.token_hex(24)
            (pki / (account + ".token")).write_text(token)
            (pki / (account + ".token")).chmod(0o600)
            group_field = '"%s"' % groups if groups else ""
            lines.append("%s,%s,%s,%s" % (token, user, user, group_field))
        (pki / "tokens.csv").write_text("\n".join(lines) + "\n")
        (pki / "tokens.csv").chmod(0o600)


def token(account):
    """The bearer token of one of config.TOKEN_USERS."""
    return (config.PKI_DIR / (account + ".token")).read_text().strip()
