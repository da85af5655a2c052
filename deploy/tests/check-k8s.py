"""make test-k8s: the manifests in deploy/k8s/ against the Kubernetes OpenAPI schemas, and
against each other and the image.

1. Every document validates, in strict mode (unknown fields are errors), against the schemas
   kubernetes-validate ships for each Kubernetes version in KUBE_VERSIONS (offline).
2. The pieces agree: the Service, PDB and pod spread select the Deployment's pod labels, the HPA
   targets the Deployment, probes hit /healthz and /readyz on the named container port, and
   terminationGracePeriodSeconds covers preStop sleep + SEMADJUST_SHUTDOWN_GRACE + margin.
3. The pod is locked down: non-root uid 10001 (the image's user), no privilege escalation,
   read-only root filesystem with an emptyDir on /tmp, all capabilities dropped, JSON logs.

Usage: python check-k8s.py [k8s-folder] (exit status 1 on any failure).
"""

import copy
import glob
import os
import sys

import kubernetes_validate
import yaml

KUBE_VERSIONS = os.environ.get("KUBE_VERSIONS", "1.30.0 1.37.0").split()
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "k8s")
    docs = {}
    for path in sorted(glob.glob(os.path.join(folder, "*.yaml"))):
        with open(path) as f:
            for doc in yaml.safe_load_all(f):
                if not doc:
                    continue
                for version in KUBE_VERSIONS:
                    try:
                        kubernetes_validate.validate(doc, version, strict=True)
                    except kubernetes_validate.ValidationError as e:
                        failures.append(f"{os.path.basename(path)} ({doc.get('kind')}) vs Kubernetes {version}: {e.message} at {'/'.join(map(str, e.path))}")
                    except kubernetes_validate.utils.SchemaNotFoundError as e:
                        failures.append(f"{os.path.basename(path)}: no schema for {doc.get('apiVersion')} {doc.get('kind')} in {version}: {e}")
                docs[doc["kind"]] = doc
                print(f"    {os.path.basename(path)}: {doc['apiVersion']} {doc['kind']} valid for Kubernetes {', '.join(KUBE_VERSIONS)}")

    # The validator must catch a misspelt field, or a pass above would prove nothing.
    if "Deployment" in docs:
        broken = copy.deepcopy(docs["Deployment"])
        broken["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["pathh"] = "/readyz"
        try:
            kubernetes_validate.validate(broken, KUBE_VERSIONS[-1], strict=True)
            failures.append("strict validation accepted a misspelt field (pathh)")
        except kubernetes_validate.ValidationError:
            print("    self-check: a misspelt field in the Deployment is refused")

    for kind in ("Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"):
        check(kind in docs, f"no {kind} in {folder}")
    if failures:
        return
    deployment, service = docs["Deployment"], docs["Service"]
    hpa, pdb = docs["HorizontalPodAutoscaler"], docs["PodDisruptionBudget"]
    pod = deployment["spec"]["template"]
    labels = pod["metadata"]["labels"]
    spec = pod["spec"]

    def selects(selector):
        return all(labels.get(k) == v for k, v in selector.items())

    check(selects(deployment["spec"]["selector"]["matchLabels"]), "the Deployment's selector does not match its pods")
    check(selects(service["spec"]["selector"]), "the Service does not select the pods")
    check(selects(pdb["spec"]["selector"]["matchLabels"]), "the PDB does not select the pods")
    target = hpa["spec"]["scaleTargetRef"]
    check(target["kind"] == "Deployment" and target["name"] == deployment["metadata"]["name"], "the HPA does not target the Deployment")
    check(hpa["spec"]["minReplicas"] >= 2, "HPA minReplicas < 2: a drain would take the service down")
    check(pdb["spec"].get("minAvailable", 0) < hpa["spec"]["minReplicas"], "the PDB blocks every voluntary eviction at minReplicas")

    (container,) = spec["containers"]
    env = {e["name"]: e.get("value") for e in container.get("env", [])}
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    check(ports.get("http") == 8080, "the container port 'http' is not 8080 (the image's SEMADJUST_PORT)")
    check(service["spec"]["ports"][0]["targetPort"] in ("http", 8080), "the Service does not target the http port")
    for probe, path in (("startupProbe", "/healthz"), ("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        got = container.get(probe, {}).get("httpGet", {})
        check(got.get("path") == path and got.get("port") in ("http", 8080), f"{probe} is not GET {path} on the http port")
    check(env.get("SEMADJUST_LOG_FORMAT") == "json", "SEMADJUST_LOG_FORMAT is not json")

    # Shutdown: preStop sleep, then SIGTERM and the service's drain, must end before SIGKILL.
    grace = int(env.get("SEMADJUST_SHUTDOWN_GRACE") or 25)
    pre_stop = container.get("lifecycle", {}).get("preStop", {})
    if "sleep" in pre_stop:
        sleep = int(pre_stop["sleep"]["seconds"])
    else:
        command = pre_stop.get("exec", {}).get("command", [])
        check(len(command) == 2 and command[0].endswith("sleep"), "preStop is not a sleep")
        sleep = int(command[-1]) if command else 0
    check(sleep >= 3, "preStop sleeps under 3 s: endpoints may still route to a stopping pod")
    total = spec.get("terminationGracePeriodSeconds", 30)
    check(sleep + grace < total <= sleep + grace + 15,
          f"terminationGracePeriodSeconds {total} does not match preStop {sleep} s + shutdown grace {grace} s + a margin")
    print(f"    shutdown: preStop {sleep} s + SEMADJUST_SHUTDOWN_GRACE {grace} s < terminationGracePeriodSeconds {total} s")

    pod_security = spec.get("securityContext", {})
    security = container.get("securityContext", {})
    check(pod_security.get("runAsNonRoot") is True, "runAsNonRoot is not set")
    check(pod_security.get("runAsUser") == 10001 and pod_security.get("runAsGroup") == 10001, "not uid/gid 10001 (the image's user)")
    check(security.get("allowPrivilegeEscalation") is False, "privilege escalation allowed")
    check(security.get("readOnlyRootFilesystem") is True, "the root filesystem is writable")
    check(security.get("capabilities", {}).get("drop") == ["ALL"], "capabilities are not all dropped")
    mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    check("/tmp" in mounts and "emptyDir" in volumes.get(mounts["/tmp"], {}), "no emptyDir on /tmp")
    resources = container.get("resources", {})
    check("cpu" in resources.get("requests", {}) and "memory" in resources.get("requests", {}), "no cpu/memory requests (the HPA needs the cpu one)")
    check("memory" in resources.get("limits", {}), "no memory limit")
    strategy = deployment["spec"].get("strategy", {}).get("rollingUpdate", {})
    check(strategy.get("maxUnavailable") == 0, "a rollout may drop below the current capacity")

    # Network: the policy selects the pods, admits the public port and the admin port only, and
    # the admin port is where the scrape annotation and SEMADJUST_ADMIN_PORT point.
    policy = docs.get("NetworkPolicy")
    check(policy is not None, "no NetworkPolicy")
    if policy:
        check(selects(policy["spec"]["podSelector"]["matchLabels"]), "the NetworkPolicy does not select the pods")
        check(set(policy["spec"].get("policyTypes", [])) == {"Ingress", "Egress"}, "the NetworkPolicy does not restrict both directions")
        allowed = {port["port"] for rule in policy["spec"].get("ingress", []) for port in rule.get("ports", [])}
        check(allowed == {"http", "admin"}, f"the NetworkPolicy admits ports {sorted(map(str, allowed))}, not http and admin")
        check(all(rule.get("from") for rule in policy["spec"].get("ingress", [])), "a NetworkPolicy rule admits every source")
    check(ports.get("admin") is not None and env.get("SEMADJUST_ADMIN_PORT") == str(ports.get("admin")),
          "SEMADJUST_ADMIN_PORT is not the container port 'admin'")
    check(pod["metadata"].get("annotations", {}).get("prometheus.io/port") == str(ports.get("admin")),
          "the scrape annotation does not point at the admin port")


if __name__ == "__main__":
    main()
    if failures:
        for failure in failures:
            print(f"test-k8s: FAIL: {failure}", file=sys.stderr)
        sys.exit(1)
    print("test-k8s: PASS")
