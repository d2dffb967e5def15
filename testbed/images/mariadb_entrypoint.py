"""The mariadb/mysql images' entrypoint behaviour, for the test bed (runs inside the container).

Written for the test bed from the images' documented interface, standard library only:

- first argument an option (``--foo``): run ``mariadbd`` with the arguments;
- ``mariadbd``/``mysqld``: on an empty datadir, initialise it with mariadb-install-db,
  then with a temporary server on a socket only: set the root password
  (MARIADB_ROOT_PASSWORD / MYSQL_ROOT_PASSWORD, or allow an empty one, or a random one),
  root@MARIADB_ROOT_HOST (default ``%``), create MARIADB_DATABASE / MYSQL_DATABASE and
  MARIADB_USER / MYSQL_USER with MARIADB_PASSWORD / MYSQL_PASSWORD (each also as a
  ``*_FILE`` variable), run /docker-entrypoint-initdb.d/*.sql and *.sh; then exec the
  server (``--user=root`` when started as root: the test bed has no mysql user; started
  as another uid, as a securityContext runAsUser does, the server runs as that uid);
- anything else is run as given.

Debian's config binds to 127.0.0.1; the images listen on every address and skip name
resolution: the image catalog gives each container its own copy of that file
(testbed/node/images.py).
"""

import glob
import os
import secrets
import subprocess
import sys
import time

SERVERS = ("mariadbd", "mysqld")
DEBIAN_SERVER_CNF = "/etc/mysql/mariadb.conf.d/50-server.cnf"


def env(*names, default=None):
    for name in names:
        path = os.environ.get(name + "_FILE")
        if path:
            with open(path) as f:
                return f.read().strip()
        if os.environ.get(name):
            return os.environ[name]
    return default


def option(args, name, default):
    for arg in args:
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return default


def say(message):
    sys.stderr.write("%s [Note] [Entrypoint]: %s\n" % (time.strftime("%Y-%m-%d %H:%M:%S"), message))
    sys.stderr.flush()


def as_root():
    """``--user=root`` when we are root (mariadbd refuses to run as root without it), else nothing."""
    return ["--user=root"] if os.geteuid() == 0 else []


def sql_quote(text):
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def initialise(server, args, datadir):
    root_password = env("MARIADB_ROOT_PASSWORD", "MYSQL_ROOT_PASSWORD")
    allow_empty = env("MARIADB_ALLOW_EMPTY_ROOT_PASSWORD", "MYSQL_ALLOW_EMPTY_PASSWORD")
    random_password = env("MARIADB_RANDOM_ROOT_PASSWORD", "MYSQL_RANDOM_ROOT_PASSWORD")
    if root_password is None and not allow_empty and not random_password:
        say("Database is uninitialized and password option is not specified\n\tYou need to specify one of "
            "MARIADB_ROOT_PASSWORD, MARIADB_ROOT_PASSWORD_HASH, MARIADB_ALLOW_EMPTY_ROOT_PASSWORD and "
            "MARIADB_RANDOM_ROOT_PASSWORD")
        sys.exit(1)
    if random_password:
        root_password = secrets.token_urlsafe(24)
        say("GENERATED ROOT PASSWORD: %s" % root_password)
    say("Initializing database files")
    subprocess.run(["mariadb-install-db", "--datadir=" + datadir, *as_root(), "--skip-test-db",
                    "--auth-root-authentication-method=normal", "--rpm"], check=True, stdout=sys.stderr)
    socket = "/run/mysqld/init.sock"
    os.makedirs("/run/mysqld", exist_ok=True)
    temporary = subprocess.Popen([server, *args, *as_root(), "--skip-networking", "--socket=" + socket,
                                  "--datadir=" + datadir, "--skip-log-bin"])
    client = ["mariadb", "--protocol=socket", "--socket=" + socket, "-uroot"]
    for _ in range(300):
        if subprocess.run(client + ["-e", "SELECT 1"], capture_output=True).returncode == 0:
            break
        if temporary.poll() is not None:
            say("the temporary server exited with %d" % temporary.returncode)
            sys.exit(1)
        time.sleep(0.1)
    root_host = env("MARIADB_ROOT_HOST", "MYSQL_ROOT_HOST", default="%")
    password = sql_quote(root_password or "")
    statements = ["SET @@SESSION.SQL_LOG_BIN=0",
                  "DELETE FROM mysql.global_priv WHERE user='' OR (user='root' AND host NOT IN ('localhost'))",
                  "ALTER USER 'root'@'localhost' IDENTIFIED BY %s" % password]
    if root_host != "localhost":
        statements += ["CREATE USER 'root'@%s IDENTIFIED BY %s" % (sql_quote(root_host), password),
                       "GRANT ALL ON *.* TO 'root'@%s WITH GRANT OPTION" % sql_quote(root_host)]
    database = env("MARIADB_DATABASE", "MYSQL_DATABASE")
    if database:
        statements.append("CREATE DATABASE IF NOT EXISTS `%s`" % database.replace("`", "``"))
    user, user_password = env("MARIADB_USER", "MYSQL_USER"), env("MARIADB_PASSWORD", "MYSQL_PASSWORD")
    if user and user_password is not None:
        statements.append("CREATE USER %s@'%%' IDENTIFIED BY %s" % (sql_quote(user), sql_quote(user_password)))
        if database:
            statements.append("GRANT ALL ON `%s`.* TO %s@'%%'" % (database.replace("`", "``"), sql_quote(user)))
    statements.append("FLUSH PRIVILEGES")
    subprocess.run(client, input=";\n".join(statements) + ";\n", text=True, check=True)
    authed = client + (["-p" + root_password] if root_password else [])
    for path in sorted(glob.glob("/docker-entrypoint-initdb.d/*")):
        say("running %s" % path)
        if path.endswith(".sh"):
            subprocess.run(["bash", path], check=True)
        elif path.endswith(".sql"):
            with open(path) as f:
                subprocess.run(authed + ([database] if database else []), stdin=f, check=True)
    subprocess.run(["mariadb-admin", "--protocol=socket", "--socket=" + socket, "-uroot", "shutdown"]
                   + (["-p" + root_password] if root_password else []), check=True)
    temporary.wait()
    say("MariaDB init process done. Ready for start up.")


def main(args):
    if args and args[0].startswith("-"):
        args = ["mariadbd", *args]
    if not args or args[0] not in SERVERS:
        os.execvp(args[0], args)
    server, server_args = "mariadbd", args[1:]
    datadir = option(server_args, "--datadir", "/var/lib/mysql")
    os.makedirs("/run/mysqld", exist_ok=True)
    if not os.path.isdir(os.path.join(datadir, "mysql")):
        initialise(server, server_args, datadir)
    os.execvp(server, [server, *server_args, *as_root()])


if __name__ == "__main__":
    main(sys.argv[1:])
