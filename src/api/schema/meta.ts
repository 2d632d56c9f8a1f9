/**
 * Kubernetes metadata types every resource embeds (k8s.io/apimachinery v0.35, the version Calico
 * v3.32.1 builds with): TypeMeta (inlined), ObjectMeta and the small types they use, plus the
 * core/v1 and meta/v1 types Calico specs refer to.
 */
import {DURATION, f, struct, t, TIME, type GoStruct} from './types.js'

/** Inlined at the top of every object: `kind` first, then `apiVersion`, as Go marshals them. */
export const TypeMeta: GoStruct = struct('v1', 'TypeMeta', [
  f('Kind', 'kind,omitempty', t.string()),
  f('APIVersion', 'apiVersion,omitempty', t.string()),
])

export const OwnerReference: GoStruct = struct('v1', 'OwnerReference', [
  f('APIVersion', 'apiVersion', t.string()),
  f('Kind', 'kind', t.string()),
  f('Name', 'name', t.string()),
  f('UID', 'uid', t.string('types.UID')),
  f('Controller', 'controller,omitempty', t.ptr(t.bool())),
  f('BlockOwnerDeletion', 'blockOwnerDeletion,omitempty', t.ptr(t.bool())),
])

export const ManagedFieldsEntry: GoStruct = struct('v1', 'ManagedFieldsEntry', [
  f('Manager', 'manager,omitempty', t.string()),
  f('Operation', 'operation,omitempty', t.string('v1.ManagedFieldsOperationType')),
  f('APIVersion', 'apiVersion,omitempty', t.string()),
  f('Time', 'time,omitempty', t.ptr(TIME)),
  f('FieldsType', 'fieldsType,omitempty', t.string()),
  f('FieldsV1', 'fieldsV1,omitempty', t.ptr(t.custom('rawjson', 'v1.FieldsV1'))),
  f('Subresource', 'subresource,omitempty', t.string()),
])

/** metav1.ObjectMeta. creationTimestamp is `omitempty,omitzero` since apimachinery v0.35. */
export const ObjectMeta: GoStruct = struct('v1', 'ObjectMeta', [
  f('Name', 'name,omitempty', t.string()),
  f('GenerateName', 'generateName,omitempty', t.string()),
  f('Namespace', 'namespace,omitempty', t.string()),
  f('SelfLink', 'selfLink,omitempty', t.string()),
  f('UID', 'uid,omitempty', t.string('types.UID')),
  f('ResourceVersion', 'resourceVersion,omitempty', t.string()),
  f('Generation', 'generation,omitempty', t.int('int64')),
  f('CreationTimestamp', 'creationTimestamp,omitempty,omitzero', TIME),
  f('DeletionTimestamp', 'deletionTimestamp,omitempty', t.ptr(TIME)),
  f('DeletionGracePeriodSeconds', 'deletionGracePeriodSeconds,omitempty', t.ptr(t.int('int64'))),
  f('Labels', 'labels,omitempty', t.map()),
  f('Annotations', 'annotations,omitempty', t.map()),
  f('OwnerReferences', 'ownerReferences,omitempty', t.slice(t.struct(() => OwnerReference))),
  f('Finalizers', 'finalizers,omitempty', t.slice(t.string())),
  f('ManagedFields', 'managedFields,omitempty', t.slice(t.struct(() => ManagedFieldsEntry))),
])

export const Condition: GoStruct = struct('v1', 'Condition', [
  f('Type', 'type', t.string()),
  f('Status', 'status', t.string('v1.ConditionStatus')),
  f('ObservedGeneration', 'observedGeneration,omitempty', t.int('int64')),
  f('LastTransitionTime', 'lastTransitionTime', TIME),
  f('Reason', 'reason', t.string()),
  f('Message', 'message', t.string()),
])

export const LabelSelectorRequirement: GoStruct = struct('v1', 'LabelSelectorRequirement', [
  f('Key', 'key', t.string()),
  f('Operator', 'operator', t.string('v1.LabelSelectorOperator')),
  f('Values', 'values,omitempty', t.slice(t.string())),
])

export const LabelSelector: GoStruct = struct('v1', 'LabelSelector', [
  f('MatchLabels', 'matchLabels,omitempty', t.map()),
  f('MatchExpressions', 'matchExpressions,omitempty', t.slice(t.struct(() => LabelSelectorRequirement))),
])

/** core/v1 SecretKeySelector (LocalObjectReference inlined: `name` first). */
export const SecretKeySelector: GoStruct = struct('v1', 'SecretKeySelector', [
  f('Name', 'name,omitempty', t.string()),
  f('Key', 'key', t.string()),
  f('Optional', 'optional,omitempty', t.ptr(t.bool())),
])

export {DURATION, TIME}
