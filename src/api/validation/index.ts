/**
 * validateResource: libcalico-go's validator.Validate (v3.32.1) for one resource. It runs the
 * go-playground field tags declared in the schema and the struct-level checks registered by the
 * modules imported below, and renders errors exactly as errors.ErrorValidation does.
 *
 * This is the Go validator only: the CRD schema/CEL checks Calico adds when talking to etcd
 * directly are not part of it, nor are the write-time checks clientv3 makes (see ../client).
 */
import {ValidationError} from '../errors.js'
import type {Resource} from '../resource.js'
import {kindSchema} from '../schema/index.js'
import {Reporter, validateStruct} from './engine.js'
import './checks.js'
import './meta.js'
import './rules.js'
import './policies.js'
import './ippool.js'
import './endpoints.js'
import './bgp.js'
import './felix.js'

/**
 * Validates a decoded resource (missing fields are Go zero values). Returns the ValidationError
 * Calico would return, or undefined when the resource is valid.
 */
export function validateResource(res: Resource): ValidationError | undefined {
  const schema = kindSchema(res.kind)
  if (!schema) return new ValidationError([{field: 'Kind', value: res.kind, reason: 'unknown resource kind'}])
  const reporter = new Reporter()
  validateStruct(res as unknown as Record<string, unknown>, schema, reporter)
  return reporter.errors.length > 0 ? new ValidationError(reporter.errors) : undefined
}
