"""A pod's volumes as host folders, and the bind mounts that put them at each container's mountPath.

configMap, secret, downwardAPI and projected volumes are written under the pod's state
folder the way the kubelet's atomic writer lays them out (``..data`` -> a timestamped
folder; each key a symlink through ``..data``), so a rewrite is seen whole. emptyDir is a
folder there; persistentVolumeClaim, hostPath and nfs volumes are host folders, found by
``host_directory`` and ``nfs_export_directory``. With a pod ``fsGroup``, emptyDir and the
API data volumes are given to that group as the kubelet does (``owned_by_group``); NFS,
hostPath and local volumes are left as they are (the kubelet applies fsGroup to local
volumes too; the test bed does not).

A volume that cannot be provided raises MountError (FailedMount); one that may still
become available (an unbound claim, a missing Secret) raises it with ``retry=True``.
"""

import base64
import os
import shutil
import stat
import time
from pathlib import Path

from testbed import config
from testbed.node import downward, images
from testbed.node.kube import get_or_none, raw

DEFAULT_MODE = 0o644
EMPTY_DIR_MODE = 0o777  # the kubelet makes every emptyDir 0777, whoever the containers run as
TOKEN_SECONDS = 3600
REFRESH_SECONDS = 30  # how often configMap and secret volumes follow their source (the kubelet: ~1 min)


class MountError(Exception):
    def __init__(self, message, retry=True, volume=""):
        super().__init__(message)
        self.retry = retry
        self.volume = volume


def nfs_export_directory(server, path):
    """The host folder that NFS export ``server:path`` serves.

    The one place where the test bed maps NFS to files (there is no NFS client here).
    The test bed's NFS server is NFS-Ganesha run on this host by the nfs_server role,
    with each export's Pseudo path equal to its host Path, so the export path IS the host
    path, whatever address of this host ``server`` names. A path that does not exist is
    what a real mount would refuse.
    """
    directory = Path(path)
    if not directory.is_absolute():
        raise MountError("mount.nfs: %s:%s: the export path must be absolute" % (server, path), retry=False)
    if not directory.is_dir():
        raise MountError("mount.nfs: access denied by server while mounting %s:%s (no such export folder on the "
                         "test bed's host)" % (server, path))
    return directory


def host_directory(host_path):
    """The folder of a hostPath volume, created or checked according to its ``type``."""
    path = Path(host_path["path"])
    kind = host_path.get("type") or ""
    if kind in ("", "DirectoryOrCreate") and not path.exists():
        path.mkdir(parents=True, exist_ok=True)
    elif kind == "FileOrCreate" and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    checks = {"Directory": path.is_dir, "File": path.is_file, "Socket": path.is_socket}
    if kind in checks and not checks[kind]():
        raise MountError("hostPath type check failed: %s is not a %s" % (path, kind))
    return path


def owned_by_group(folder, group, read_only):
    """The kubelet's fsGroup ownership (SetVolumeOwnership): every file and folder gets group ``group``,
    group read (and write unless the volume is read-only) permission, folders also search and setgid."""
    mask = 0o440 if read_only else 0o660
    for root, folders, files in os.walk(folder):
        for path in [root] + [os.path.join(root, name) for name in folders + files]:
            info = os.lstat(path)
            os.lchown(path, -1, group)
            if stat.S_ISLNK(info.st_mode):
                continue
            extra = mask | (0o2110 if stat.S_ISDIR(info.st_mode) else 0)
            os.chmod(path, stat.S_IMODE(info.st_mode) | extra)


def write_atomic(folder, files):
    """Write ``{relative path: (bytes, mode)}`` into ``folder`` the way the kubelet's atomic writer does."""
    folder.mkdir(parents=True, exist_ok=True)
    data_link = folder / "..data"
    if data_link.is_symlink() and _same(folder / os.readlink(data_link), files):
        return False
    version = folder / ("..%s.%d" % (time.strftime("%Y_%m_%d_%H_%M_%S"), time.time_ns() % 10**9))
    for relative, (content, mode) in files.items():
        target = version / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        target.chmod(mode)
    old = os.readlink(data_link) if data_link.is_symlink() else None
    tmp = folder / "..data_tmp"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(version.name)
    tmp.replace(data_link)
    tops = {Path(relative).parts[0] for relative in files}
    for top in tops:
        link = folder / top
        if not link.is_symlink():
            link.symlink_to(Path("..data") / top)
    for entry in folder.iterdir():
        if not entry.name.startswith("..") and entry.name not in tops:
            entry.unlink()
    if old:
        shutil.rmtree(folder / old, ignore_errors=True)
    return True


def _same(version, files):
    try:
        present = {str(p.relative_to(version)) for p in version.rglob("*") if p.is_file()}
        if present != set(files):
            return False
        return all((version / r).read_bytes() == c and (version / r).stat().st_mode & 0o777 == m
                   for r, (c, m) in files.items())
    except OSError:
        return False


class VolumeBuilder:
    """Provides the volumes of one pod under ``pod_dir/volumes``."""

    def __init__(self, kube, pod, pod_dir):
        self.kube = kube
        self.pod = pod
        self.namespace = pod["metadata"]["namespace"]
        self.root = pod_dir / "volumes"
        self.fs_group = (pod["spec"].get("securityContext") or {}).get("fsGroup")

    def build(self):
        """``{volume name: host folder}`` for every volume of the pod (raises MountError)."""
        self.root.mkdir(parents=True, exist_ok=True)
        built = {}
        for volume in self.pod["spec"].get("volumes") or ():
            try:
                built[volume["name"]] = str(self._volume(volume))
            except MountError as e:
                e.volume = volume["name"]
                raise
        return built

    def refresh(self):
        """Rewrite the API-backed volumes whose content changed (as the kubelet's periodic sync does)."""
        for volume in self.pod["spec"].get("volumes") or ():
            # Projected volumes are left alone: each rewrite would request a new token.
            if "configMap" in volume or "secret" in volume:
                try:
                    self._volume(volume)
                except MountError:
                    pass

    def _volume(self, volume):
        name = volume["name"]
        folder = self.root / name
        if "emptyDir" in volume:
            folder.mkdir(parents=True, exist_ok=True)
            folder.chmod(EMPTY_DIR_MODE)
            if self.fs_group is not None:
                owned_by_group(folder, self.fs_group, read_only=False)
            return folder
        if "hostPath" in volume:
            return host_directory(volume["hostPath"])
        if "nfs" in volume:
            return nfs_export_directory(volume["nfs"]["server"], volume["nfs"]["path"])
        if "persistentVolumeClaim" in volume:
            return self._claim(volume["persistentVolumeClaim"]["claimName"])
        if "configMap" in volume:
            files = self._keys("ConfigMap", volume["configMap"])
        elif "secret" in volume:
            source = dict(volume["secret"], name=volume["secret"]["secretName"])
            files = self._keys("Secret", source)
        elif "downwardAPI" in volume:
            files = self._downward(volume["downwardAPI"], volume["downwardAPI"].get("defaultMode", DEFAULT_MODE))
        elif "projected" in volume:
            files = self._projected(volume["projected"])
        else:
            kind = next((k for k in volume if k != "name"), "unknown")
            raise MountError("volume %s: the test bed does not provide %s volumes" % (name, kind), retry=False)
        if self.fs_group is None:
            write_atomic(folder, files)
            return folder
        # API data volumes are read-only: fsGroup makes every file group-readable (0400 -> 0440).
        if write_atomic(folder, {path: (content, mode | 0o440) for path, (content, mode) in files.items()}):
            owned_by_group(folder, self.fs_group, read_only=True)
        return folder

    def _claim(self, claim_name):
        claim = get_or_none(self.kube.core.read_namespaced_persistent_volume_claim, claim_name, self.namespace)
        if claim is None:
            raise MountError('persistentvolumeclaim "%s" not found' % claim_name)
        volume_name = claim["spec"].get("volumeName")
        if (claim.get("status") or {}).get("phase") != "Bound" or not volume_name:
            raise MountError('persistentvolumeclaim "%s" is not bound (phase %s)'
                             % (claim_name, (claim.get("status") or {}).get("phase", "Pending")))
        volume = get_or_none(self.kube.core.read_persistent_volume, volume_name)
        if volume is None:
            raise MountError('persistentvolume "%s" of claim "%s" not found' % (volume_name, claim_name))
        spec = volume["spec"]
        if "nfs" in spec:
            return nfs_export_directory(spec["nfs"]["server"], spec["nfs"]["path"])
        if "hostPath" in spec:
            return host_directory(spec["hostPath"])
        if "local" in spec:
            return host_directory({"path": spec["local"]["path"], "type": "Directory"})
        kind = next((k for k in spec if k not in ("capacity", "accessModes", "claimRef", "storageClassName",
                                                   "persistentVolumeReclaimPolicy", "volumeMode", "mountOptions",
                                                   "nodeAffinity")), "unknown")
        raise MountError("persistentvolume %s: the test bed does not mount %s volumes" % (volume_name, kind),
                         retry=False)

    def _source(self, kind, name, optional):
        core = self.kube.core
        call = core.read_namespaced_config_map if kind == "ConfigMap" else core.read_namespaced_secret
        obj = get_or_none(call, name, self.namespace)
        if obj is None and not optional:
            raise MountError('%s "%s" not found' % ("configmap" if kind == "ConfigMap" else "secret", name))
        values = {}
        for key, value in ((obj or {}).get("data") or {}).items():
            values[key] = base64.b64decode(value) if kind == "Secret" else value.encode()
        for key, value in ((obj or {}).get("binaryData") or {}).items():
            values[key] = base64.b64decode(value)
        return values

    def _keys(self, kind, source, default_mode=None):
        mode = source.get("defaultMode", default_mode if default_mode is not None else DEFAULT_MODE)
        values = self._source(kind, source["name"], source.get("optional", False))
        items = source.get("items")
        if not items:
            return {key: (value, mode) for key, value in values.items()}
        files = {}
        for item in items:
            if item["key"] not in values:
                if source.get("optional", False):
                    continue
                raise MountError("configmap or secret %s: key %s not found" % (source["name"], item["key"]))
            files[item["path"]] = (values[item["key"]], item.get("mode", mode))
        return files

    def _downward(self, source, default_mode):
        files = {}
        for item in source.get("items") or ():
            if "fieldRef" in item:
                text = downward.field(self.pod, item["fieldRef"]["fieldPath"])
            else:
                text = downward.resource(self.pod, None, item["resourceFieldRef"])
            files[item["path"]] = (text.encode(), item.get("mode", default_mode))
        return files

    def _projected(self, projected):
        mode = projected.get("defaultMode", DEFAULT_MODE)
        files = {}
        for source in projected.get("sources") or ():
            if "configMap" in source:
                files.update(self._keys("ConfigMap", source["configMap"], mode))
            elif "secret" in source:
                files.update(self._keys("Secret", source["secret"], mode))
            elif "downwardAPI" in source:
                files.update(self._downward(source["downwardAPI"], mode))
            elif "serviceAccountToken" in source:
                token = source["serviceAccountToken"]
                files[token["path"]] = (self._token(token).encode(), mode)
        return files

    def _token(self, source):
        meta = self.pod["metadata"]
        spec = {
            "expirationSeconds": source.get("expirationSeconds", TOKEN_SECONDS),
            "boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": meta["name"], "uid": meta["uid"]},
        }
        if source.get("audience"):
            spec["audiences"] = [source["audience"]]
        account = self.pod["spec"].get("serviceAccountName") or "default"
        body = raw(self.kube.core.create_namespaced_service_account_token, account, self.namespace, {"spec": spec})
        return body["status"]["token"]


def _host_paths_under(folder):
    # A checkout under /tmp (as a CI clone may be) would vanish behind a container's
    # private /tmp: whatever of the catalog's programs lies under a private folder is
    # bound back at the same place, read-only.
    return [{"source": str(host), "target": str(host), "readOnly": True}
            for host in images.catalog_paths() if Path(folder) in host.parents]


def private_folder(source, folder, image):
    """An image's own folder for one container: /tmp open to all, the others the image's owner's."""
    source.mkdir(parents=True, exist_ok=True)
    if folder == "/tmp":
        source.chmod(0o1777)
    else:
        os.chown(source, *image.owner)


def container_mounts(container, volumes, image, private_dir, env):
    """The bind mounts of one container, parents before children.

    The image's private folders come first (each container's own, under ``private_dir``),
    unless a volume is mounted exactly there; then the image's own versions of host files;
    then the volumes, with subPath and
    subPathExpr resolved on the host.
    """
    from testbed.node.environment import expand

    mounts = []
    targets = {m["mountPath"].rstrip("/") or "/" for m in container.get("volumeMounts") or ()}
    for index, folder in enumerate(image.writable):
        if folder not in targets:
            source = Path(private_dir) / ("private-%d" % index)
            private_folder(source, folder, image)
            mounts.append({"source": str(source), "target": folder})
            mounts.extend(_host_paths_under(folder))
    for index, (target, transform) in enumerate(sorted(image.files.items())):
        if Path(target).is_file() and target not in targets:
            copy = Path(private_dir) / ("file-%d" % index)
            copy.write_text(transform(Path(target).read_text()))
            copy.chmod(0o644)
            mounts.append({"source": str(copy), "target": target, "readOnly": True})
    for mount in container.get("volumeMounts") or ():
        source = Path(volumes[mount["name"]])
        sub_path = mount.get("subPath") or expand(mount.get("subPathExpr") or "", env)
        if sub_path:
            if sub_path.startswith("/") or ".." in Path(sub_path).parts:
                raise MountError("subPath %r must be a relative path without '..'" % sub_path, retry=False)
            source = source / sub_path
            if not source.exists() and not source.is_symlink():
                source.mkdir(parents=True, exist_ok=True)
            source = Path(os.path.realpath(source))
        mounts.append({"source": str(source), "target": mount["mountPath"], "readOnly": mount.get("readOnly", False)})
    mounts.sort(key=lambda m: len(Path(m["target"]).parts))
    return mounts


def pod_dir(uid):
    return config.PODS_DIR / uid
