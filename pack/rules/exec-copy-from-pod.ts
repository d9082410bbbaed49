import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_PLATFORM, STREAM_VERBS, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, serviceAccount, sample } from "../samples";

const cmd = "@http.url_details.queryString.command";
// kubectl cp <pod>:<path> <local> runs `tar cf - <path>` in the container (kubectl's cp command); the copy towards
// the pod runs `tar xmf -` instead. The PodExecOptions body, when logged, holds the same command list.
const fromPod = `((${cmd}:tar ${cmd}:cf ${cmd}:"-") OR (@requestObject.command:tar @requestObject.command:cf @requestObject.command:"-"))`;

export const rule: DetectionRuleProps = {
  id: "exec-copy-from-pod",
  name: "EKS: files copied out of a container (kubectl cp)",
  detectionMethod: "threshold",
  tactic: "TA0009-collection",
  technique: "T1005-data-from-local-system",
  queries: [
    {
      query: `${EKS_AUDIT} @objectRef.resource:pods @objectRef.subresource:exec ${STREAM_VERBS} @http.status_code:[101 TO 299] ${fromPod} ${NOT_PLATFORM}`,
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [{ status: "medium", condition: "a > 0" }],
  message: ruleMessage(
    "Detect `kubectl cp` from a pod to the caller's machine: files (keys, configuration, data) leaving the cluster through the API server.",
    "Successful exec (`create` or, kubectl >= 1.30, `get`) whose command is `tar cf - <path>` (what `kubectl cp <pod>:<path>` runs), platform identities excluded. Copies towards the pod (`tar xmf -`) and other archives are not reported. Blind spot: the same copy done as `kubectl exec -- cat <file>` is only seen by the exec rules.",
    [
      IDENTIFY_USER,
      "Read the path copied (`command=` after `-` in `@http.url_details.queryString.command`) and the pod: what did it hold?",
      IF_UNEXPECTED,
    ],
  ),
  samples: {
    positive: [
      sample("a developer copies credentials out of a pod", {
        verb: "create",
        resource: "pods",
        subresource: "exec",
        namespace: "production",
        name: "webapp-pod",
        user: DEVELOPER,
        code: 101,
        query: "command=tar&command=cf&command=-&command=%2Fapp%2Fsecrets%2Fcredentials.json&container=webapp&stdout=true",
      }),
      sample("kubectl 1.31 copies over WebSockets (verb get)", {
        verb: "get",
        resource: "pods",
        subresource: "exec",
        namespace: "default",
        name: "api",
        user: KUBERNETES_ADMIN,
        code: 101,
        query: "command=tar&command=cf&command=-&command=%2Froot%2F.ssh%2Fid_rsa&container=api&stdout=true",
      }),
    ],
    negative: [
      sample("kubectl cp towards the pod (tar xmf -)", {
        verb: "create",
        resource: "pods",
        subresource: "exec",
        namespace: "default",
        name: "app-pod",
        user: DEVELOPER,
        code: 101,
        query: "command=tar&command=xmf&command=-&command=-C&command=%2Ftmp&container=app&stdin=true",
      }),
      sample("an archive written inside the pod (tar czf file)", {
        verb: "create",
        resource: "pods",
        subresource: "exec",
        namespace: "default",
        name: "backup-pod",
        user: DEVELOPER,
        code: 101,
        query: "command=tar&command=czf&command=backup.tar.gz&command=%2Fapp%2Fdata",
      }),
      sample("an interactive shell", {
        verb: "create",
        resource: "pods",
        subresource: "exec",
        namespace: "default",
        name: "debug-pod",
        user: DEVELOPER,
        code: 101,
        query: "command=%2Fbin%2Fsh&stdin=true&tty=true",
      }),
      sample("a kube-system service account (excluded identity) copying logs", {
        verb: "create",
        resource: "pods",
        subresource: "exec",
        namespace: "kube-system",
        name: "debug",
        user: serviceAccount("kube-system", "debug"),
        code: 101,
        query: "command=tar&command=cf&command=-&command=%2Fvar%2Flog",
      }),
      sample("the copy denied (403)", {
        verb: "create",
        resource: "pods",
        subresource: "exec",
        namespace: "default",
        name: "secret-pod",
        user: DEVELOPER,
        code: 403,
        query: "command=tar&command=cf&command=-&command=%2Fapp%2Fsecrets",
      }),
    ],
  },
};
