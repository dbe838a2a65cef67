import { useEffect, useMemo, useState } from 'preact/hooks';

// A form made from a JSON Schema: a tool's config_schema (an agent's config
// of it) or its input_schema (a test call's arguments). The server is the
// only judge of a value (the browser's own checks are off, so that nothing
// the server would say goes unsaid); the form places each of its
// violations, a JSON Pointer, at the field it names.

export function pointerOf(parent, key) {
  return `${parent}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

function pointerKeys(pointer) {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((key) => key.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function valueAt(value, pointer) {
  let current = value;
  for (const key of pointerKeys(pointer)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = current[key];
  }
  return current;
}

const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

function withValueAtKeys(value, keys, next) {
  if (keys.length === 0) return next;
  const [key, ...rest] = keys;
  const base = isObject(value) ? value : {};
  const child = withValueAtKeys(base[key], rest, next);
  const copy = { ...base };
  if (child === undefined || (rest.length && isObject(child) && Object.keys(child).length === 0)) delete copy[key];
  else copy[key] = child;
  return copy;
}

// A copy of `value` with `pointer` set to `next` (undefined removes it, and
// an object left empty by that goes too, so that unset fields fall back to
// their defaults).
export function withValueAt(value, pointer, next) {
  return withValueAtKeys(value, pointerKeys(pointer), next);
}

// Only references inside the same document ("#/definitions/x"), as the server allows.
function resolve(schema, root, depth = 0) {
  if (!schema || typeof schema !== 'object' || typeof schema.$ref !== 'string' || depth > 16) return schema;
  if (!schema.$ref.startsWith('#')) return null;
  const target = valueAt(root, decodeURIComponent(schema.$ref.slice(1)));
  return target === undefined ? null : resolve(target, root, depth + 1);
}

const scalarTypes = new Set(['string', 'number', 'integer', 'boolean']);

function singleType(schema) {
  if (typeof schema.type === 'string') return schema.type;
  if (Array.isArray(schema.type)) {
    const types = schema.type.filter((type) => type !== 'null');
    return types.length === 1 ? types[0] : null;
  }
  if (schema.properties) return 'object';
  return null;
}

const composed = (schema) => ['oneOf', 'anyOf', 'allOf', 'not', 'if'].some((keyword) => keyword in schema);

function kindOf(schema) {
  if (!schema || typeof schema !== 'object' || composed(schema)) return 'json';
  if (Array.isArray(schema.enum) && schema.enum.length && schema.enum.every((item) => scalarTypes.has(typeof item))) return 'enum';
  const type = singleType(schema);
  if (type === 'object') return schema.properties ? 'object' : 'json';
  if (type === 'string') return 'string';
  if (type === 'integer' || type === 'number') return 'number';
  if (type === 'boolean') return 'boolean';
  if (type === 'array' && schema.items && !Array.isArray(schema.items) && !composed(schema.items)) {
    const items = schema.items;
    if (Array.isArray(items.enum) && items.enum.every((item) => scalarTypes.has(typeof item))) return 'choices';
    if (['string', 'integer', 'number'].includes(singleType(items))) return 'lines';
  }
  return 'json';
}

// The schema as a tree of fields: {pointer, key, label, kind, schema, required, fields?}.
export function describeFields(schema, root = schema, pointer = '', depth = 0) {
  const resolved = resolve(schema, root);
  if (!resolved || typeof resolved !== 'object' || kindOf(resolved) !== 'object' || depth > 8) return null;
  const required = new Set(Array.isArray(resolved.required) ? resolved.required : []);
  return Object.entries(resolved.properties).map(([key, property]) => {
    const own = resolve(property, root) ?? {};
    const kind = kindOf(own);
    const at = pointerOf(pointer, key);
    return {
      pointer: at,
      key,
      label: own.title || humanise(key),
      description: own.description,
      kind,
      schema: own,
      required: required.has(key),
      fields: kind === 'object' ? describeFields(own, root, at, depth + 1) : null,
    };
  });
}

function humanise(key) {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function flatten(fields, into = []) {
  for (const field of fields ?? []) {
    into.push(field.pointer);
    flatten(field.fields, into);
  }
  return into;
}

// Each violation at the field its path names: the nearest field at or above
// the path ("/tags/2" is the tags field's). A missing required property is
// reported at its object; its message names the property, so it goes to
// that property's field. Violations no field holds stay for the form's top.
export function placeViolations(fields, violations) {
  const known = new Set(flatten(fields));
  const byField = new Map();
  const unplaced = [];
  for (const violation of violations ?? []) {
    let path = violation.path ?? '';
    const missing = violation.keyword === 'required' && /"((?:[^"\\]|\\.)*)"/.exec(violation.message ?? '');
    if (missing) {
      try {
        path = pointerOf(path, JSON.parse(`"${missing[1]}"`));
      } catch {
        // An unreadable name: the object's own path stays.
      }
    }
    let at = path;
    while (at && !known.has(at)) at = at.slice(0, at.lastIndexOf('/'));
    if (at) byField.set(at, [...(byField.get(at) ?? []), violation]);
    else unplaced.push(violation);
  }
  return { byField, unplaced };
}

function defaultText(value) {
  if (value === undefined) return null;
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (Array.isArray(value) && value.every((item) => typeof item !== 'object')) return value.length ? value.join(', ') : 'none';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

const fieldId = (prefix, pointer) => `${prefix}${pointer.replace(/[^a-zA-Z0-9_-]/g, (character) => `_${character.charCodeAt(0)}`)}`;

function FieldMessages({ id, field, fallback, violations, localError }) {
  const hint = [field.description, fallback !== null ? `Default: ${fallback}` : null].filter(Boolean).join(' · ');
  return (
    <>
      {hint && (
        <span class="field-hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {(localError || violations?.length > 0) && (
        <span class="field-error" id={`${id}-error`}>
          {localError ?? violations.map((violation) => violation.message).join('; ')}
        </span>
      )}
    </>
  );
}

function describedBy(id, field, fallback, invalid) {
  const ids = [];
  if (field.description || fallback !== null) ids.push(`${id}-hint`);
  if (invalid) ids.push(`${id}-error`);
  return ids.join(' ') || undefined;
}

function Label({ id, field }) {
  return (
    <label for={id} class="field-label">
      {field.label}
      {field.required && <span class="required"> (required)</span>}
    </label>
  );
}

// A text box whose words become a value only when they parse; until then
// its own text is kept, so typing "1." or a half-written JSON is not undone.
function DraftInput({ id, value, format, parse, multiline, attributes, onValue, setLocalError }) {
  const [text, setText] = useState(format(value));
  useEffect(() => {
    const parsed = parse(text);
    if (!parsed.error && JSON.stringify(parsed.value) !== JSON.stringify(value)) setText(format(value));
    // Only a change from outside (another mode, a reset) rewrites the text.
  }, [value]);
  const onInput = (event) => {
    const next = event.currentTarget.value;
    setText(next);
    const parsed = parse(next);
    setLocalError(parsed.error ?? null);
    if (!parsed.error) onValue(parsed.value);
  };
  return multiline ? (
    <textarea id={id} rows={multiline} value={text} onInput={onInput} {...attributes} />
  ) : (
    <input id={id} value={text} onInput={onInput} {...attributes} />
  );
}

function Field({ idPrefix, field, value, defaults, onChange, placed }) {
  const id = fieldId(idPrefix, field.pointer);
  const [localError, setLocalError] = useState(null);
  const current = valueAt(value, field.pointer);
  const fallback = defaultText(valueAt(defaults, field.pointer) ?? field.schema.default);
  // A list's "Not set" option already names the default.
  const hinted = field.kind === 'enum' || field.kind === 'boolean' ? null : fallback;
  const violations = placed.get(field.pointer);
  const invalid = Boolean(localError || violations?.length);
  const set = (next) => onChange(withValueAt(value, field.pointer, next));
  const attributes = {
    name: field.pointer,
    'aria-invalid': invalid ? 'true' : undefined,
    'aria-describedby': describedBy(id, field, hinted, invalid),
  };
  const schema = field.schema;
  const unset = fallback !== null ? `Not set (default: ${fallback})` : 'Not set';

  if (field.kind === 'object') {
    return (
      <fieldset class="schema-group" aria-describedby={attributes['aria-describedby']}>
        <legend>
          {field.label}
          {field.required && <span class="required"> (required)</span>}
        </legend>
        <FieldMessages id={id} field={field} fallback={null} violations={violations} />
        <Fields idPrefix={idPrefix} fields={field.fields} value={value} defaults={defaults} onChange={onChange} placed={placed} />
      </fieldset>
    );
  }

  if (field.kind === 'choices') {
    const chosen = Array.isArray(current) ? current : [];
    return (
      <fieldset class="schema-group choices" aria-describedby={attributes['aria-describedby']} aria-invalid={attributes['aria-invalid']}>
        <legend>
          {field.label}
          {field.required && <span class="required"> (required)</span>}
        </legend>
        <div class="choice-list">
          {schema.items.enum.map((option) => (
            <label key={String(option)} class="check">
              <input
                type="checkbox"
                checked={chosen.includes(option)}
                onChange={(event) => {
                  const next = event.currentTarget.checked ? [...chosen, option] : chosen.filter((item) => item !== option);
                  set(next.length ? next : undefined);
                }}
              />
              {String(option)}
            </label>
          ))}
        </div>
        <FieldMessages id={id} field={field} fallback={fallback} violations={violations} />
      </fieldset>
    );
  }

  let control;
  if (field.kind === 'enum') {
    const index = schema.enum.findIndex((option) => option === current);
    control = (
      <select
        id={id}
        value={current === undefined ? '' : String(index)}
        onChange={(event) => set(event.currentTarget.value === '' ? undefined : schema.enum[Number(event.currentTarget.value)])}
        {...attributes}
      >
        <option value="">{unset}</option>
        {schema.enum.map((option, position) => (
          <option key={position} value={String(position)}>
            {String(option)}
          </option>
        ))}
      </select>
    );
  } else if (field.kind === 'boolean') {
    control = (
      <select
        id={id}
        value={current === undefined ? '' : String(current)}
        onChange={(event) => set(event.currentTarget.value === '' ? undefined : event.currentTarget.value === 'true')}
        {...attributes}
      >
        <option value="">{unset}</option>
        <option value="true">On</option>
        <option value="false">Off</option>
      </select>
    );
  } else if (field.kind === 'string') {
    const secret = schema.format === 'password' || schema.writeOnly === true;
    const long = (schema.maxLength ?? 0) > 200 || schema.format === 'textarea';
    const common = {
      id,
      value: typeof current === 'string' ? current : '',
      placeholder: fallback ?? undefined,
      onInput: (event) => set(event.currentTarget.value === '' ? undefined : event.currentTarget.value),
      ...attributes,
    };
    control = long ? <textarea rows={3} {...common} /> : <input type={secret ? 'password' : 'text'} autocomplete="off" {...common} />;
  } else if (field.kind === 'number') {
    const integer = singleType(schema) === 'integer';
    control = (
      <DraftInput
        id={id}
        value={current}
        format={(number) => (number === undefined || number === null ? '' : String(number))}
        parse={(text) => {
          if (text.trim() === '') return { value: undefined };
          const number = Number(text);
          return Number.isFinite(number) ? { value: number } : { error: integer ? 'Enter a whole number.' : 'Enter a number.' };
        }}
        attributes={{ ...attributes, inputMode: integer ? 'numeric' : 'decimal', placeholder: fallback ?? undefined }}
        onValue={set}
        setLocalError={setLocalError}
      />
    );
  } else if (field.kind === 'lines') {
    const numeric = singleType(schema.items) !== 'string';
    control = (
      <DraftInput
        id={id}
        value={current}
        multiline={3}
        format={(items) => (Array.isArray(items) ? items.join('\n') : '')}
        parse={(text) => {
          const lines = text.split('\n').map((line) => line.trim()).filter(Boolean);
          if (lines.length === 0) return { value: undefined };
          if (!numeric) return { value: lines };
          const numbers = lines.map(Number);
          return numbers.every(Number.isFinite) ? { value: numbers } : { error: 'Each line must be a number.' };
        }}
        attributes={{ ...attributes, placeholder: fallback ? `Default: ${fallback}` : 'One per line' }}
        onValue={set}
        setLocalError={setLocalError}
      />
    );
  } else {
    control = (
      <DraftInput
        id={id}
        value={current}
        multiline={4}
        format={(json) => (json === undefined ? '' : JSON.stringify(json, null, 2))}
        parse={(text) => {
          if (text.trim() === '') return { value: undefined };
          try {
            return { value: JSON.parse(text) };
          } catch {
            return { error: 'Not valid JSON.' };
          }
        }}
        attributes={{ ...attributes, class: 'code', spellcheck: false, placeholder: fallback ?? 'JSON' }}
        onValue={set}
        setLocalError={setLocalError}
      />
    );
  }

  return (
    <div class={invalid ? 'field schema-field invalid' : 'field schema-field'}>
      <Label id={id} field={field} />
      {control}
      <FieldMessages id={id} field={field} fallback={hinted} violations={violations} localError={localError} />
    </div>
  );
}

function Fields({ idPrefix, fields, ...rest }) {
  return fields.map((field) => <Field key={field.pointer} idPrefix={idPrefix} field={field} {...rest} />);
}

// The whole value as JSON, for what the generated fields cannot hold.
function JsonEditor({ id, value, onChange, onValidity }) {
  const [text, setText] = useState(JSON.stringify(value ?? {}, null, 2));
  const [error, setError] = useState(null);
  return (
    <div class={error ? 'field invalid' : 'field'}>
      <label for={id}>As JSON</label>
      <textarea
        id={id}
        class="code"
        rows={8}
        spellcheck={false}
        value={text}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onInput={(event) => {
          const next = event.currentTarget.value;
          setText(next);
          try {
            const parsed = JSON.parse(next || '{}');
            if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('must be an object');
            setError(null);
            onValidity(true);
            onChange(parsed);
          } catch (thrown) {
            setError(`Not a JSON object: ${thrown.message}`);
            onValidity(false);
          }
        }}
      />
      {error && (
        <span class="field-error" id={`${id}-error`}>
          {error}
        </span>
      )}
    </div>
  );
}

// The fields of `schema` (or a JSON editor, chosen by the person or when the
// schema has no properties to make fields of), the violations placed at
// them, and what no field holds above the buttons.
export function SchemaFields({ idPrefix, schema, defaults, value, onChange, violations, onValidity = () => {} }) {
  const fields = useMemo(() => describeFields(schema), [schema]);
  const [asJson, setAsJson] = useState(!fields || fields.length === 0);
  const { byField, unplaced } = useMemo(
    () => (asJson ? { byField: new Map(), unplaced: violations ?? [] } : placeViolations(fields, violations)),
    [asJson, fields, violations],
  );
  return (
    <div class="schema-fields">
      {fields && fields.length > 0 && (
        <div class="mode-switch" role="group" aria-label="Edit as">
          <button type="button" class="chip" aria-pressed={!asJson} onClick={() => setAsJson(false)}>
            Form
          </button>
          <button type="button" class="chip" aria-pressed={asJson} onClick={() => setAsJson(true)}>
            JSON
          </button>
        </div>
      )}
      {asJson ? (
        <JsonEditor id={`${idPrefix}-json`} value={value} onChange={onChange} onValidity={onValidity} />
      ) : (
        <Fields idPrefix={idPrefix} fields={fields} value={value} defaults={defaults} onChange={onChange} placed={byField} />
      )}
      {unplaced.length > 0 && (
        <ul class="violations" aria-label="Problems">
          {unplaced.map((violation, index) => (
            <li key={index}>
              <code>{violation.path || '(the whole value)'}</code> {violation.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
