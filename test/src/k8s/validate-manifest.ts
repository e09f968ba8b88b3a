import { ScaledObject, TriggerAuthentication } from "@kubernetes-models/keda/keda.sh/v1alpha1";
import { Deployment } from "kubernetes-models/apps/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Secret, Service } from "kubernetes-models/v1";
import type { Manifest } from "./kustomize.js";

// The JSON schemas of the Kubernetes API (kubernetes-models) and of KEDA's CRDs (@kubernetes-models/keda), compiled
// into the npm packages, so the check runs offline.
const MODELS: Record<string, { new (data: never): { validate(): void } }> = {
  "apps/v1/Deployment": Deployment,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "v1/ConfigMap": ConfigMap,
  "v1/Secret": Secret,
  "v1/Service": Service,
  "keda.sh/v1alpha1/ScaledObject": ScaledObject,
  "keda.sh/v1alpha1/TriggerAuthentication": TriggerAuthentication,
};

/** Schema errors of `object` ("" when valid); an unknown apiVersion/kind is an error too. */
export function validateManifest(object: Manifest): string {
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!Model) return `no schema for ${object.apiVersion} ${object.kind}`;
  try {
    new Model(object as never).validate();
    return "";
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
