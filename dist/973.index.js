export const id = 973;
export const ids = [973];
export const modules = {

/***/ 86973:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  startDelivery: () => (/* binding */ startDelivery)
});

// UNUSED EXPORTS: deliverAssets

// EXTERNAL MODULE: ./src/domain/formats.ts
var formats = __webpack_require__(76892);
// EXTERNAL MODULE: ./src/errors.ts
var src_errors = __webpack_require__(83916);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: ./src/runtime.ts + 1 modules
var runtime = __webpack_require__(72574);
// EXTERNAL MODULE: ./src/units.ts
var units = __webpack_require__(61996);
;// CONCATENATED MODULE: ./src/assets/artifact.ts
/**
 * The artifact upload, through @actions/artifact, under the run's cancellation and a time limit
 * of its own.
 *
 * The client takes no AbortSignal, so the call is raced against the signal and a timer, and an
 * upload that loses the race is abandoned, not stopped. What it leaves running cannot be
 * reached from here: the Twirp client's request on a private http.Agent with no socket timeout
 * (a CreateArtifact or FinalizeArtifact that never answers holds its socket, ref'd, forever),
 * its retry sleeps (plain setTimeout, 5 tries), and during the blob upload the Azure SDK's
 * requests on its own agents, a 5-minute "progress stalled" setInterval and archiver's file
 * reads, all ref'd until the upload ends. So an abandoned upload may keep the process alive,
 * and may still log a line or two; index.ts exits the process once outputs and summary are
 * written, which cuts it.
 */




const DEFAULT_UPLOAD_TIME_LIMIT_MS = 10 * 60_000;
/**
 * The ZIP's level when `compression-level` is empty: 0 (stored) when every file is SPZ or SOG,
 * whose bytes are compressed already (deflate saves under 0.3% on them and costs a core for the
 * whole upload), else the client's usual 6.
 */
function defaultCompressionLevel(formats) {
    return formats.length > 0 && formats.every(format => format === 'spz' || format === 'sog') ? 0 : 6;
}
/** The run already has an artifact of this name (the service answered 409 Conflict). */
class ArtifactNameClashError extends Error {
    artifactName;
    constructor(artifactName, options) {
        super(`An artifact named "${artifactName}" already exists in this workflow run, and names must be unique within a run ` +
            `(another job of a matrix, another step, or an earlier attempt may have used it). ` +
            `Give 'artifact-name' a unique value, e.g. "${artifactName}-\${{ github.run_attempt }}", ` +
            `or in a matrix job add the matrix values: "${artifactName}-\${{ matrix.os }}".`, options);
        this.artifactName = artifactName;
        this.name = 'ArtifactNameClashError';
    }
}
/** The upload did not finish within its time limit; it was abandoned. */
class ArtifactTimeoutError extends src_errors/* ActionError */.lZ {
    timeLimitMs;
    constructor(timeLimitMs) {
        super(`The artifact upload did not finish within ${(0,units/* formatDuration */.a3)(timeLimitMs)}`, 'The results service or its blob store did not answer in time; try again later.');
        this.timeLimitMs = timeLimitMs;
    }
}
/** The runner did not provide what an upload needs: the step is not running as an action. */
class ArtifactEnvironmentError extends Error {
    missing;
    constructor(missing) {
        super(`Uploading an artifact needs ${missing.join(', ')} in the environment, which the runner sets for a step that ` +
            `runs the action with 'uses:'. Run it that way, or set 'upload-artifact' to false.`);
        this.missing = missing;
        this.name = 'ArtifactEnvironmentError';
    }
}
// ACTIONS_RUNTIME_TOKEN authorises the upload, ACTIONS_RESULTS_URL locates the service; the
// other two name the run whose page the artifact URL points at.
const REQUIRED_ENV = [
    'ACTIONS_RUNTIME_TOKEN',
    'ACTIONS_RESULTS_URL',
    'GITHUB_REPOSITORY',
    'GITHUB_RUN_ID'
];
/**
 * Uploads the files as one artifact (a ZIP of them, paths relative to rootDirectory).
 * Loads @actions/artifact only when called (dynamic import): it is most of the bundle, and
 * runs without uploads must not pay its start-up cost.
 */
async function uploadArtifact(upload, control = {}) {
    const env = control.env ?? process.env;
    const missing = REQUIRED_ENV.filter(name => !env[name]);
    if (missing.length > 0)
        throw new ArtifactEnvironmentError(missing);
    checkFiles(upload);
    const level = upload.compressionLevel;
    if (level !== undefined && !(Number.isInteger(level) && level >= 0 && level <= 9)) {
        throw new Error(`The compression level must be a whole number from 0 to 9; got ${level}.`);
    }
    if (control.signal?.aborted)
        throw (0,src_errors/* cancellationOf */.zg)(control.signal);
    const timeLimitMs = control.timeLimitMs ?? DEFAULT_UPLOAD_TIME_LIMIT_MS;
    const bounded = (0,runtime/* boundedSignal */.gm)(control.signal, timeLimitMs, () => new ArtifactTimeoutError(timeLimitMs));
    let response;
    try {
        response = await (0,runtime/* untilAborted */.Eu)(callClient(upload), bounded.signal);
    }
    finally {
        bounded.release();
    }
    if (response.id === undefined) {
        throw new Error(`The artifact service gave no id for the artifact "${upload.name}".`);
    }
    return {
        id: response.id,
        url: artifactUrl(env, response.id),
        digest: response.digest ?? '',
        size: response.size ?? 0
    };
}
async function callClient(upload) {
    const { DefaultArtifactClient } = await Promise.all(/* import() */[__webpack_require__.e(351), __webpack_require__.e(800)]).then(__webpack_require__.bind(__webpack_require__, 69800));
    try {
        return await new DefaultArtifactClient().uploadArtifact(upload.name, upload.files, upload.rootDirectory, { retentionDays: upload.retentionDays, compressionLevel: upload.compressionLevel });
    }
    catch (error) {
        if (isNameConflict(error))
            throw new ArtifactNameClashError(upload.name, { cause: error });
        throw error;
    }
}
/** Where the run page lists the artifact; the same URL actions/upload-artifact outputs. */
function artifactUrl(env, id) {
    const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
    return `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}/artifacts/${id}`;
}
// The toolkit's own check is a string prefix test (`/dl` would accept `/dl2/x`) and it would
// store such a file under a mangled name: refuse it here, naming the file.
function checkFiles({ rootDirectory, files }) {
    if (files.length === 0)
        throw new Error('There are no files to upload as an artifact.');
    for (const file of files) {
        const relative = external_node_path_.relative(rootDirectory, file);
        if (!relative || relative.startsWith('..') || external_node_path_.isAbsolute(relative)) {
            throw new Error(`Cannot upload ${file}: it is not inside ${rootDirectory}.`);
        }
    }
}
// @actions/artifact 6 has no typed error for this: its Twirp client turns any non-retryable
// status into `Failed to CreateArtifact: Received non-retryable error: Failed request: (409)
// Conflict: <msg>`. The method name and the status are the stable parts of that message.
function isNameConflict(error) {
    return error instanceof Error && /^Failed to CreateArtifact: .*\(409\)/.test(error.message);
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: ./src/net/url-policy.ts
var url_policy = __webpack_require__(1785);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __webpack_require__(57075);
;// CONCATENATED MODULE: ./src/assets/verify/result.ts
/** The file is not a usable asset; `reason` says why, in words meant for the user. */
class AssetVerificationError extends Error {
    reason;
    constructor(reason) {
        super(reason);
        this.name = 'AssetVerificationError';
        this.reason = reason;
    }
}
function fail(reason) {
    throw new AssetVerificationError(reason);
}

;// CONCATENATED MODULE: ./src/assets/verify/text.ts
/** Words for failure messages: raw bytes quoted safely, counts, and errors of any kind. */
/** Bytes as a double-quoted string that is safe to print: ASCII as is, anything else escaped. */
function quoteBytes(bytes) {
    let out = '';
    for (const byte of bytes) {
        if (byte === 0x0a)
            out += '\\n';
        else if (byte === 0x0d)
            out += '\\r';
        else if (byte === 0x09)
            out += '\\t';
        else if (byte === 0x22 || byte === 0x5c)
            out += `\\${String.fromCharCode(byte)}`;
        else if (byte >= 0x20 && byte < 0x7f)
            out += String.fromCharCode(byte);
        else
            out += `\\x${byte.toString(16).padStart(2, '0')}`;
    }
    return `"${out}"`;
}
/** Up to 80 characters of header text read as latin1, quoted like bytes. */
const quoteText = (text) => quoteBytes(Buffer.from(text.slice(0, 80), 'latin1'));
const plural = (count, noun) => `${count} ${noun}${count === 1 ? '' : 's'}`;

;// CONCATENATED MODULE: ./src/assets/verify/file-ranges.ts



/** Large enough that a 100 MB file takes about a hundred reads. */
const STREAM_CHUNK = 1024 * 1024;
/** Reads byte ranges of an open file whose size is known. */
class FileRanges {
    file;
    size;
    constructor(file, size) {
        this.file = file;
        this.size = size;
    }
    /** The bytes at [position, position + length), or fewer where the file ends. */
    async read(position, length) {
        const wanted = Math.max(0, Math.min(length, this.size - position));
        const buffer = Buffer.alloc(wanted);
        let filled = 0;
        while (filled < wanted) {
            const { bytesRead } = await this.file.read(buffer, filled, wanted - filled, position + filled);
            if (bytesRead === 0)
                break; // the file shrank under us; callers see the short buffer
            filled += bytesRead;
        }
        return buffer.subarray(0, filled);
    }
    /**
     * The bytes at [position, position + length) as a stream, for ranges too large to hold at once.
     * Not `FileHandle.createReadStream`: each of those leaves a listener on the handle, and a SOG's
     * entries, streamed one by one, would trip Node's leak warning.
     */
    stream(position, length) {
        const end = Math.min(position + length, this.size);
        const read = (at) => this.read(at, Math.min(STREAM_CHUNK, end - at));
        async function* chunks() {
            for (let at = position; at < end;) {
                const chunk = await read(at);
                if (chunk.length === 0)
                    return;
                at += chunk.length;
                yield chunk;
            }
        }
        return external_node_stream_.Readable.from(chunks(), { objectMode: false });
    }
}
/**
 * Relates a file's size to the size its own headers describe. `describer` names those headers,
 * e.g. "the PLY header"; `singular` picks the verb's form for it.
 */
function checkExactSize(actual, expected, describer, singular) {
    if (actual < expected) {
        fail(`truncated: ${actual} bytes, ${describer} ${singular ? 'needs' : 'need'} ${expected}`);
    }
    if (actual > expected) {
        const accounts = singular ? 'accounts' : 'account';
        fail(`${plural(actual - expected, 'trailing byte')}: ${actual} bytes, ${describer} ${accounts} for ${expected}`);
    }
}

// EXTERNAL MODULE: ./src/domain/json.ts
var json = __webpack_require__(97504);
;// CONCATENATED MODULE: ./src/assets/verify/sniff.ts



/**
 * Tells the formats apart by their first bytes, and names what a server sent instead of an asset
 * (an HTML error page, an XML or JSON error body) so the user reads the cause, not "bad magic".
 */
/** How many leading bytes `expectFormat` needs to see. */
const SNIFF_BYTES = 4096;
const startsWith = (bytes, prefix) => bytes.length >= prefix.length && prefix.every((byte, i) => bytes[i] === byte);
const ascii = (text) => [...text].map(char => char.charCodeAt(0));
const PLY_MAGIC = ascii('ply\n');
const PLY_MAGIC_CRLF = ascii('ply\r\n');
const GZIP_MAGIC = [0x1f, 0x8b];
/** Starts an SPZ header: a v4 file as is, v1-v3 once inflated. */
const SPZ_MAGIC = ascii('NGSP');
const ZIP_LOCAL_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const LABEL = { ply: 'PLY', spz: 'SPZ', sog: 'SOG' };
/** Fails unless `head`, the first bytes of a file of `size` bytes, starts the `expected` format. */
function expectFormat(head, size, expected) {
    if (size === 0)
        fail('empty file (0 bytes)');
    const actual = sniffFormat(head);
    if (actual === undefined) {
        fail(describeNonAsset(head, size) ?? describeUnknown(head, expected));
    }
    if (actual !== expected) {
        fail(`the bytes say ${LABEL[actual]} but the file name says .${expected}`);
    }
}
function sniffFormat(head) {
    if (startsWith(head, PLY_MAGIC) || startsWith(head, PLY_MAGIC_CRLF))
        return 'ply';
    if (startsWith(head, GZIP_MAGIC) || startsWith(head, SPZ_MAGIC))
        return 'spz';
    if (startsWith(head, ZIP_LOCAL_MAGIC))
        return 'sog';
    return undefined;
}
/**
 * Fails for a file that does not start as `label` (`GLB`, `STL`) should: names what a server sent
 * instead, or shows the first bytes. `detail` says what the format starts with.
 */
function notTheFormat(head, size, label, detail) {
    if (size === 0)
        fail('empty file (0 bytes)');
    const noun = `${article(label)} ${label} file`;
    fail(describeNonAsset(head, size, noun) ?? `not ${noun} (${detail}): ${showBytes(head)}`);
}
/** `an FBX`, `an STL`, `a GLB`, `a USDZ`: letters whose names start with a vowel take `an`. */
function article(label) {
    return /^[AEFHILMNORSX][A-Z0-9]*\b/.test(label) ? 'an' : 'a';
}
/** Names what a web server or API sent instead of an asset, or undefined if it is none of those. */
function describeNonAsset(head, size, noun = 'a splat file') {
    let start = startsWith(head, [0xef, 0xbb, 0xbf]) ? 3 : 0; // a UTF-8 byte order mark
    while (start < head.length && isSpace(head[start]))
        start++;
    const text = head.toString('utf8', start);
    const lower = text.slice(0, 256).toLowerCase();
    const shown = quoteBytes(head.subarray(start, start + 40));
    if (lower.startsWith('<!doctype html') ||
        lower.startsWith('<html') ||
        /^<\?xml[^>]*>\s*(<!doctype html|<html)/.test(lower)) {
        const title = /<title[^>]*>([^<]{1,120})/i.exec(text)?.[1]?.trim();
        const titled = title ? `; title "${collapse(title)}"` : '';
        return `an HTML page, not ${noun} (starts with ${shown}${titled})`;
    }
    if (lower.startsWith('<')) {
        const code = /<code>([^<]{1,80})<\/code>/i.exec(text)?.[1];
        const message = /<message>([^<]{1,160})<\/message>/i.exec(text)?.[1];
        const details = code
            ? `; code "${collapse(code)}"${message ? `, message "${collapse(message)}"` : ''}`
            : '';
        return `an XML document, not ${noun} (starts with ${shown}${details})`;
    }
    if (lower.startsWith('{') || lower.startsWith('[')) {
        return describeJson(text, head.length >= size, shown, noun);
    }
    return undefined;
}
/** `complete`: `text` is the whole body, so it can be parsed rather than only pattern-matched. */
function describeJson(text, complete, shown, noun) {
    let body;
    if (complete) {
        try {
            body = JSON.parse(text);
        }
        catch {
            body = undefined;
        }
    }
    if ((0,json/* isRecord */.u4)(body) && 'c' in body) {
        const message = body.m === null || body.m === undefined ? '' : `, m "${collapse(String(body.m))}"`;
        return `a JSON API response, not ${noun} (c "${collapse(String(body.c))}"${message})`;
    }
    if ((0,json/* isRecord */.u4)(body) && 'means' in body && 'quats' in body) {
        return 'a SOG meta.json on its own, not a bundled .sog file (its images are separate files)';
    }
    const code = /^\{\s*"c"\s*:\s*"([^"]{0,40})"/.exec(text)?.[1];
    if (code !== undefined)
        return `a JSON API response, not ${noun} (c "${collapse(code)}")`;
    return `a JSON document, not ${noun} (starts with ${shown})`;
}
function describeUnknown(head, expected) {
    return `not a ${LABEL[expected]} file or any splat format: ${showBytes(head)}`;
}
function showBytes(head) {
    const sample = head.subarray(0, 24);
    const looksLikeText = sample.every(byte => isSpace(byte) || byte >= 0x20);
    return looksLikeText
        ? `the bytes are text, starting with ${quoteBytes(sample)}`
        : `its first bytes are ${[...sample.subarray(0, 16)].map(byte => byte.toString(16).padStart(2, '0')).join(' ')}`;
}
const isSpace = (byte) => byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
/** One line of printable text, for quoting what a server said. */
const collapse = (text) => [...text]
    .map(char => (char < ' ' || char === '\u007f' ? ' ' : char))
    .join('')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 160);

;// CONCATENATED MODULE: ./src/assets/verify/fbx.ts


/**
 * Checks a bare FBX. Binary: the magic `Kaydara FBX Binary  \0`, bytes 1A 00, a four-digit version,
 * then the top-level node records, each of which gives the offset where it ends. Walking those
 * (a few small reads) finds a file cut short: the list must end in a null record inside the file.
 * ASCII: the `; FBX 7.4.0 project file` comment that starts every file Autodesk's SDK writes.
 */
const BINARY_MAGIC_BYTES = Buffer.from('Kaydara FBX Binary  \0\x1a\0', 'latin1');
const BINARY_MAGIC = [...BINARY_MAGIC_BYTES];
const HEADER_BYTES = 27;
/** Files from version 7500 on have 64-bit offsets in their node records. */
const WIDE_RECORDS_FROM = 7500;
/** An FBX has a dozen top-level nodes; a walk longer than this is not reading an FBX. */
const MAX_TOP_LEVEL_NODES = 100_000;
const ASCII_HEADER = /^(\ufeff)?; FBX (\d+)\.(\d+)\.(\d+) project file/;
/** Whether these first bytes start an FBX, binary or ASCII (for the one inside a zipped FBX). */
function startsAsFbx(head) {
    return startsWith(head, BINARY_MAGIC) || ASCII_HEADER.test(head.toString('utf8', 0, 80));
}
async function verifyFbx(file) {
    const head = await file.read(0, SNIFF_BYTES);
    if (startsWith(head, BINARY_MAGIC.slice(0, 18))) {
        if (head.length < HEADER_BYTES && startsWith(BINARY_MAGIC_BYTES, [...head].slice(0, 23))) {
            fail(`truncated: ${file.size} bytes, inside the FBX header`);
        }
        if (!startsWith(head, BINARY_MAGIC)) {
            fail('a damaged FBX header: "Kaydara FBX Binary" is not followed by two spaces, \\0, 1A 00');
        }
        return verifyBinary(file, head);
    }
    const ascii = ASCII_HEADER.exec(head.toString('utf8', 0, 80));
    if (ascii)
        return { format: 'fbx', version: `fbx-ascii-${ascii[2]}${ascii[3]}${ascii[4]}0` };
    notTheFormat(head, file.size, 'FBX', 'binary FBX starts with "Kaydara FBX Binary  \\0", ASCII FBX with "; FBX <version> project file"');
}
async function verifyBinary(file, head) {
    if (head.length < HEADER_BYTES)
        fail(`truncated: ${file.size} bytes, inside the FBX header`);
    const version = head.readUInt32LE(23);
    if (version < 1000 || version > 9999)
        fail(`FBX version ${version}; versions have four digits`);
    const wide = version >= WIDE_RECORDS_FROM;
    const recordHeader = wide ? 25 : 13;
    let at = HEADER_BYTES;
    for (let nodes = 0; nodes <= MAX_TOP_LEVEL_NODES; nodes++) {
        const record = await file.read(at, recordHeader);
        if (record.length < recordHeader) {
            fail(`truncated: ${file.size} bytes, the FBX ends inside its node records (at byte ${at})`);
        }
        const end = wide ? Number(record.readBigUInt64LE(0)) : record.readUInt32LE(0);
        if (end === 0) {
            if (record.some(byte => byte !== 0))
                fail(`a damaged FBX node record at byte ${at}`);
            return { format: 'fbx', version: `fbx-binary-${version}` };
        }
        if (end <= at + recordHeader)
            fail(`a damaged FBX node record at byte ${at}`);
        if (end > file.size) {
            fail(`truncated: ${file.size} bytes, an FBX node record at byte ${at} ends at ${end}`);
        }
        at = end;
    }
    fail(`more than ${MAX_TOP_LEVEL_NODES} top-level FBX nodes; not an FBX scene`);
}

// EXTERNAL MODULE: external "node:module"
var external_node_module_ = __webpack_require__(98995);
;// CONCATENATED MODULE: ./src/assets/verify/glb.ts





/**
 * Checks a GLB (binary glTF 2.0): its 12-byte header and first chunk here, then the whole file
 * with Khronos's reference validator, whose report also gives the triangle and vertex counts.
 * The validator (300 kB of JavaScript in the bundle, compiled from Dart) is imported only when a GLB is
 * checked, so runs that deliver no GLB do not load it. It reads the file whole, in memory.
 */
const GLB_MAGIC = 0x46546c67; // 'glTF'
const glb_HEADER_BYTES = 12;
const CHUNK_HEADER_BYTES = 8;
const JSON_CHUNK = 0x4e4f534a; // 'JSON'
/** How many of the validator's errors a failure names. */
const ERRORS_NAMED = 3;
/** Enough to know whether there are errors without a broken file's report growing without end. */
const MAX_ISSUES = 1000;
async function verifyGlb(file) {
    const head = await file.read(0, SNIFF_BYTES);
    if (head.length < 4 || head.readUInt32LE(0) !== GLB_MAGIC) {
        notTheFormat(head, file.size, 'GLB', 'it starts with "glTF"');
    }
    if (head.length < glb_HEADER_BYTES + CHUNK_HEADER_BYTES) {
        fail(`truncated: ${file.size} bytes, a GLB header and its first chunk header need 20`);
    }
    const version = head.readUInt32LE(4);
    if (version !== 2)
        fail(`GLB version ${version}; glTF 2.0 binaries are version 2`);
    checkExactSize(file.size, head.readUInt32LE(8), 'the GLB header', true);
    const jsonBytes = head.readUInt32LE(12);
    if (head.readUInt32LE(16) !== JSON_CHUNK) {
        fail(`the first GLB chunk is not JSON (type 0x${head.readUInt32LE(16).toString(16)})`);
    }
    if (glb_HEADER_BYTES + CHUNK_HEADER_BYTES + jsonBytes > file.size) {
        fail(`the GLB's JSON chunk (${jsonBytes} bytes) runs past the end of the ${file.size}-byte file`);
    }
    return validate(await file.read(0, file.size));
}
async function validate(bytes) {
    const gltf = await loadValidator();
    let report;
    try {
        report = await gltf.validateBytes(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), {
            format: 'glb',
            writeTimestamp: false,
            maxIssues: MAX_ISSUES,
            // The GLB is delivered alone: a buffer or image it names by URI is missing, not fetched.
            externalResourceFunction: uri => Promise.reject(new Error(`"${uri}" is outside the GLB, which is delivered alone`))
        });
    }
    catch (error) {
        fail(`the glTF validator cannot read it: ${(0,src_errors/* errorMessage */.gJ)(error)}`);
    }
    const errors = report.issues.messages.filter(message => message.severity === 0);
    if (report.issues.numErrors > 0 || errors.length > 0) {
        const count = Math.max(report.issues.numErrors, errors.length);
        const named = errors.slice(0, ERRORS_NAMED).map(describeIssue).join('; ');
        const more = count > ERRORS_NAMED ? `; and ${count - ERRORS_NAMED} more` : '';
        fail(`the glTF validator finds ${count} error${count === 1 ? '' : 's'}: ${named}${more}`);
    }
    const info = { format: 'glb', version: 'glb-v2' };
    if (report.info?.totalTriangleCount !== undefined)
        info.triangles = report.info.totalTriangleCount;
    if (report.info?.totalVertexCount !== undefined)
        info.vertices = report.info.totalVertexCount;
    return info;
}
let validator;
/** The validator, imported once, the first time a GLB is checked. */
function loadValidator() {
    validator ??= importValidator();
    return validator;
}
/**
 * The validator is compiled from Dart to CommonJS. When it starts it looks up a global `require`
 * (through `eval`, which bundlers leave alone) to load Node's `url`; the bundle is an ES module,
 * which has none, so one is lent for that first evaluation and taken back. And Node gives a
 * CommonJS module's exports as named ones, while a bundler may give only `default`.
 */
async function importValidator() {
    const scope = globalThis;
    const lent = scope.require === undefined;
    if (lent)
        scope.require = (0,external_node_module_.createRequire)(import.meta.url);
    let module;
    try {
        module = await __webpack_require__.e(/* import() */ 546).then(__webpack_require__.t.bind(__webpack_require__, 65546, 19));
    }
    finally {
        if (lent)
            delete scope.require;
    }
    const named = module;
    return typeof named.validateBytes === 'function'
        ? named
        : module.default;
}
/** `GLB_UNEXPECTED_END_OF_CHUNK_DATA at byte 648: Unexpected end of chunk data` */
function describeIssue(issue) {
    const where = issue.pointer !== undefined
        ? ` at ${issue.pointer}`
        : issue.offset !== undefined
            ? ` at byte ${issue.offset}`
            : '';
    return `${issue.code}${where}: ${issue.message.replace(/\s+/g, ' ').replace(/\.$/, '').slice(0, 200)}`;
}

;// CONCATENATED MODULE: ./src/assets/verify/webp.ts



/** How many leading bytes of an image `readWebpHeader` needs for any of the three WebP forms. */
const WEBP_HEADER_BYTES = 30;
/** Reads the size and dimensions from the first bytes of the WebP image `name`. */
function readWebpHeader(bytes, name) {
    if (bytes.length < 16 ||
        bytes.toString('latin1', 0, 4) !== 'RIFF' ||
        bytes.toString('latin1', 8, 12) !== 'WEBP') {
        fail(`"${name}" is not a WebP image (starts with ${quoteBytes(bytes.subarray(0, 16))})`);
    }
    const riffBytes = bytes.readUInt32LE(4) + 8;
    const chunk = bytes.toString('latin1', 12, 16);
    const short = (needed) => {
        if (bytes.length < needed)
            fail(`"${name}" is cut off inside its WebP header`);
    };
    if (chunk === 'VP8L') {
        short(25);
        if (bytes[20] !== 0x2f)
            fail(`"${name}" has a damaged lossless WebP header`);
        const bits = bytes.readUInt32LE(21);
        return { riffBytes, width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
    if (chunk === 'VP8X') {
        short(30);
        return { riffBytes, width: bytes.readUIntLE(24, 3) + 1, height: bytes.readUIntLE(27, 3) + 1 };
    }
    if (chunk === 'VP8 ') {
        short(30);
        if (!startsWith(bytes.subarray(23), [0x9d, 0x01, 0x2a])) {
            fail(`"${name}" has a damaged lossy WebP header`);
        }
        return {
            riffBytes,
            width: bytes.readUInt16LE(26) & 0x3fff,
            height: bytes.readUInt16LE(28) & 0x3fff
        };
    }
    fail(`"${name}" is a WebP image with an unknown first chunk ${quoteText(chunk)}`);
}

;// CONCATENATED MODULE: ./src/assets/verify/image.ts




/**
 * Checks an image (a preview or view the service renders): PNG, JPEG or WebP by signature, with
 * its dimensions, and the end each format marks so that a file cut short is found. PNG: the IHDR
 * chunk first, the IEND chunk last. JPEG: the segments up to the frame header (SOFn) that gives
 * the size, and the EOI marker last. WebP: the RIFF size equal to the file's.
 */
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const PNG_IEND = Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);
const JPEG_SOI = [0xff, 0xd8, 0xff];
/** JPEG markers without a length: TEM, RST0-7. */
const STANDALONE = (marker) => marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7);
/** Start-of-frame markers: C0-CF but DHT (C4), JPG (C8) and DAC (CC). */
const isFrame = (marker) => marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
async function verifyImage(file) {
    const head = await file.read(0, SNIFF_BYTES);
    if (startsWith(head, PNG_SIGNATURE))
        return verifyPng(file, head);
    if (startsWith(head, JPEG_SOI))
        return verifyJpeg(file);
    if (head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') {
        const webp = readWebpHeader(head, 'the image');
        checkExactSize(file.size, webp.riffBytes, 'the WebP RIFF header', true);
        return image_image('webp', webp.width, webp.height);
    }
    notTheFormat(head, file.size, 'PNG, JPEG or WebP', 'by its signature');
}
async function verifyPng(file, head) {
    if (head.length < 33 || head.toString('latin1', 12, 16) !== 'IHDR') {
        fail('a damaged PNG: its first chunk is not IHDR');
    }
    const end = await file.read(file.size - PNG_IEND.length, PNG_IEND.length);
    if (!end.equals(PNG_IEND)) {
        fail(`truncated: a PNG ends with its IEND chunk, and this one (${file.size} bytes) does not`);
    }
    return image_image('png', head.readUInt32BE(16), head.readUInt32BE(20));
}
async function verifyJpeg(file) {
    const eoi = await file.read(file.size - 2, 2);
    if (eoi[0] !== 0xff || eoi[1] !== 0xd9) {
        fail(`truncated: a JPEG ends with its EOI marker (FF D9), and this one (${file.size} bytes) does not`);
    }
    for (let at = 2; at + 4 <= file.size;) {
        const segment = await file.read(at, 9);
        if (segment[0] !== 0xff)
            fail(`a damaged JPEG: no marker at byte ${at}`);
        const marker = segment[1];
        if (marker === 0xff) {
            at += 1; // fill bytes before a marker
            continue;
        }
        if (STANDALONE(marker)) {
            at += 2;
            continue;
        }
        if (marker === 0xd9 || marker === 0xda)
            break; // the image ends, or its data starts, before a frame
        if (isFrame(marker)) {
            if (segment.length < 9)
                fail(`a damaged JPEG: its frame header is cut off at byte ${at}`);
            return image_image('jpeg', segment.readUInt16BE(7), segment.readUInt16BE(5));
        }
        at += 2 + segment.readUInt16BE(2);
    }
    fail('a damaged JPEG: no frame header (SOFn) gives its size');
}
function image_image(version, width, height) {
    if (width === 0 || height === 0)
        fail(`a ${version.toUpperCase()} of ${width}×${height} pixels`);
    return { format: 'image', version, width, height };
}

;// CONCATENATED MODULE: ./src/assets/verify/stl.ts



/**
 * Checks an STL. Binary: an 80-byte header, a 32-bit triangle count, and 50 bytes per triangle,
 * so the size is exactly 84 + 50 × the count. ASCII: `solid <name>`, facets, `endsolid`; its
 * triangles are counted by streaming the text for `endfacet`. Some binary writers start their
 * header with "solid" too, so a file whose size fits its binary count is binary, whatever it
 * starts with, and so is one with a NUL byte in its first 84.
 */
const BINARY_HEADER = 84;
const TRIANGLE_BYTES = 50;
const END_FACET = Buffer.from('endfacet');
const TAIL_BYTES = 512;
async function verifyStl(file) {
    const head = await file.read(0, BINARY_HEADER);
    // A binary header that starts with "solid" is told apart by the NUL bytes text never has.
    const startsSolid = /^\s*solid(\s|$)/.test(head.toString('latin1', 0, 80)) && !head.includes(0);
    if (head.length >= BINARY_HEADER) {
        const triangles = head.readUInt32LE(80);
        if (BINARY_HEADER + TRIANGLE_BYTES * triangles === file.size) {
            return { format: 'stl', version: 'stl-binary', triangles };
        }
    }
    if (startsSolid)
        return verifyAscii(file);
    if (head.length < BINARY_HEADER) {
        if (file.size === 0 || /^\s*[<{[]/.test(head.toString('latin1'))) {
            notTheFormat(head, file.size, 'STL', 'binary: 84 + 50 × triangles bytes; ASCII: "solid"');
        }
        fail(`truncated: ${file.size} bytes, a binary STL header needs ${BINARY_HEADER}`);
    }
    if (/^\s*[<{[]/.test(head.toString('latin1'))) {
        notTheFormat(head, file.size, 'STL', 'binary: 84 + 50 × triangles bytes; ASCII: "solid"');
    }
    const triangles = head.readUInt32LE(80);
    checkExactSize(file.size, BINARY_HEADER + TRIANGLE_BYTES * triangles, `a binary STL of ${triangles.toLocaleString('en-US')} triangles (84 + 50 × ${triangles})`, true);
    return { format: 'stl', version: 'stl-binary', triangles };
}
async function verifyAscii(file) {
    const tail = (await file.read(Math.max(0, file.size - TAIL_BYTES), TAIL_BYTES)).toString('latin1');
    if (!/(^|\s)endsolid([ \t][^\n]*)?\s*$/.test(tail)) {
        fail(`truncated: an ASCII STL ends with "endsolid", and this one (${file.size} bytes) does not`);
    }
    return { format: 'stl', version: 'stl-ascii', triangles: await countEndFacets(file) };
}
/** Occurrences of `endfacet`, one per triangle, streamed in constant memory. */
async function countEndFacets(file) {
    let count = 0;
    let carry = Buffer.alloc(0);
    for await (const chunk of file.stream(0, file.size)) {
        const text = Buffer.concat([carry, chunk]);
        for (let at = text.indexOf(END_FACET); at >= 0; at = text.indexOf(END_FACET, at + 1))
            count++;
        // Keep what could be the start of a word cut at the chunk's end, but never a whole match.
        carry = text.subarray(Math.max(0, text.length - (END_FACET.length - 1)));
    }
    return count;
}

// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __webpack_require__(38522);
;// CONCATENATED MODULE: ./src/assets/verify/inflate-prefix.ts



/** Deflate expands at most ~1032:1, so this never trips on a 64 KiB prefix yet bounds memory. */
const INFLATE_OUTPUT_LIMIT = 80 * 1024 * 1024;
/** Inflates as much of `input` as it holds: a stream cut short gives what precedes the cut, not an error. */
function inflatePrefix(input, kind) {
    const options = {
        finishFlush: external_node_zlib_.constants.Z_SYNC_FLUSH,
        maxOutputLength: INFLATE_OUTPUT_LIMIT
    };
    try {
        return kind === 'gzip' ? external_node_zlib_.gunzipSync(input, options) : external_node_zlib_.inflateRawSync(input, options);
    }
    catch (error) {
        fail(`corrupt compressed data: ${(0,src_errors/* errorMessage */.gJ)(error)}`);
    }
}

;// CONCATENATED MODULE: ./src/assets/verify/zip.ts





/**
 * Reads a ZIP container (a SOG bundle, a USDZ, a 3MF, a zipped OBJ or FBX): its directory, and the
 * start or the whole of an entry. Only one plain ZIP file with stored or deflated entries is
 * accepted; `ZipKind` names the container in the messages.
 */
const EOCD_SIGNATURE = 0x06054b50;
const EOCD_BYTES = 22;
const MAX_ZIP_COMMENT = 0xffff;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_LOCATOR_BYTES = 20;
const CENTRAL_SIGNATURE = 0x02014b50;
const CENTRAL_ENTRY_BYTES = 46;
const LOCAL_SIGNATURE = 0x04034b50;
const LOCAL_HEADER_BYTES = 30;
/** The services' ZIPs list a handful of files (about 10,000 entries fit in this). */
const CENTRAL_DIRECTORY_LIMIT = 1024 * 1024;
const META_JSON_LIMIT = 1024 * 1024;
/** Compressed bytes inflated to reach a deflated image's header. */
const DEFLATED_HEADER_INPUT = 4096;
const SOG_ZIP = {
    one: 'a SOG bundle',
    many: 'SOG bundles',
    readers: 'SOG readers'
};
/** Reads the central directory, checking that the file ends exactly where the end record says. */
async function readZipDirectory(file, kind = SOG_ZIP) {
    const { eocd, eocdOffset } = await findEndRecord(file);
    const commentLength = eocd.readUInt16LE(20);
    checkExactSize(file.size, eocdOffset + EOCD_BYTES + commentLength, 'the ZIP directory', true);
    const entryCount = eocd.readUInt16LE(10);
    const directorySize = eocd.readUInt32LE(12);
    const directoryOffset = eocd.readUInt32LE(16);
    const zip64 = entryCount === 0xffff ||
        directorySize === 0xffffffff ||
        directoryOffset === 0xffffffff ||
        (eocdOffset >= ZIP64_LOCATOR_BYTES &&
            (await file.read(eocdOffset - ZIP64_LOCATOR_BYTES, 4)).readUInt32LE(0) ===
                ZIP64_LOCATOR_SIGNATURE);
    if (zip64)
        fail(`a ZIP64 archive; ${kind.many} are plain ZIP files, and ZIP64 is not supported`);
    if (eocd.readUInt16LE(4) !== 0 ||
        eocd.readUInt16LE(6) !== 0 ||
        eocd.readUInt16LE(8) !== entryCount) {
        fail(`a multi-part (spanned) ZIP archive; ${kind.one} is a single file`);
    }
    if (directoryOffset + directorySize !== eocdOffset) {
        fail(`corrupt ZIP: the central directory (${directorySize} bytes at ${directoryOffset}) does not end where the end record starts (${eocdOffset})`);
    }
    if (directorySize > CENTRAL_DIRECTORY_LIMIT) {
        fail(`a ZIP central directory of ${directorySize} bytes; ${kind.one} lists a handful of files`);
    }
    const directory = await file.read(directoryOffset, directorySize);
    return {
        entries: parseCentralDirectory(directory, entryCount, kind),
        centralDirectoryOffset: directoryOffset
    };
}
/** The end-of-central-directory record, searched for backwards past a comment of up to 64 KiB. */
async function findEndRecord(file) {
    const tailLength = Math.min(file.size, EOCD_BYTES + MAX_ZIP_COMMENT);
    const tailStart = file.size - tailLength;
    const tail = await file.read(tailStart, tailLength);
    let at = -1;
    for (let i = tail.length - 4; i >= 0; i--) {
        if (tail.readUInt32LE(i) === EOCD_SIGNATURE) {
            at = i;
            break;
        }
    }
    if (at < 0) {
        fail(`truncated: ${file.size} bytes and no ZIP end-of-central-directory record; the download was cut short`);
    }
    if (at + EOCD_BYTES > tail.length) {
        fail(`truncated: ${file.size} bytes, the file ends inside the ZIP end-of-central-directory record`);
    }
    return { eocd: tail.subarray(at, at + EOCD_BYTES), eocdOffset: tailStart + at };
}
function parseCentralDirectory(directory, entryCount, kind) {
    const entries = new Map();
    let position = 0;
    for (let k = 0; k < entryCount; k++) {
        if (position + CENTRAL_ENTRY_BYTES > directory.length ||
            directory.readUInt32LE(position) !== CENTRAL_SIGNATURE) {
            fail(`corrupt ZIP central directory: entry ${k + 1} of ${entryCount} is missing or damaged`);
        }
        const nameLength = directory.readUInt16LE(position + 28);
        const nameEnd = position + CENTRAL_ENTRY_BYTES + nameLength;
        const entry = {
            name: directory.toString('utf8', position + CENTRAL_ENTRY_BYTES, nameEnd),
            method: directory.readUInt16LE(position + 10),
            crc32: directory.readUInt32LE(position + 16),
            compressedSize: directory.readUInt32LE(position + 20),
            uncompressedSize: directory.readUInt32LE(position + 24),
            localHeaderOffset: directory.readUInt32LE(position + 42)
        };
        checkZipEntry(entry, directory.readUInt16LE(position + 8), kind);
        entries.set(entry.name, entry);
        position =
            nameEnd + directory.readUInt16LE(position + 30) + directory.readUInt16LE(position + 32);
    }
    if (position !== directory.length) {
        fail(`corrupt ZIP central directory: it does not hold exactly the ${entryCount} entries its end record counts`);
    }
    return entries;
}
function checkZipEntry(entry, flags, kind) {
    if ([entry.compressedSize, entry.uncompressedSize, entry.localHeaderOffset].includes(0xffffffff)) {
        fail(`ZIP64 entry "${entry.name}"; ${kind.many} are plain ZIP files, and ZIP64 is not supported`);
    }
    if ((flags & 0x1) !== 0)
        fail(`"${entry.name}" is encrypted`);
    if (entry.method !== 0 && entry.method !== 8) {
        fail(`"${entry.name}" uses ZIP compression method ${entry.method}; ${kind.readers} accept stored (0) and deflate (8)`);
    }
    if (entry.method === 0 && entry.compressedSize !== entry.uncompressedSize) {
        fail(`corrupt ZIP: stored entry "${entry.name}" lists ${entry.compressedSize} bytes compressed but ${entry.uncompressedSize} uncompressed`);
    }
}
/** Where an entry's data starts: the local header has its own name and extra-field lengths. */
async function entryDataOffset(file, zip, entry) {
    const local = await file.read(entry.localHeaderOffset, LOCAL_HEADER_BYTES);
    if (local.length < LOCAL_HEADER_BYTES || local.readUInt32LE(0) !== LOCAL_SIGNATURE) {
        fail(`corrupt ZIP: no local header for "${entry.name}" at byte ${entry.localHeaderOffset}`);
    }
    const dataOffset = entry.localHeaderOffset + LOCAL_HEADER_BYTES + local.readUInt16LE(26) + local.readUInt16LE(28);
    if (dataOffset + entry.compressedSize > zip.centralDirectoryOffset) {
        fail(`corrupt ZIP: "${entry.name}" runs past the start of the central directory`);
    }
    return dataOffset;
}
/** Up to `length` uncompressed bytes from the start of an entry, inflating only a little of it. */
async function readEntryStart(file, zip, entry, length) {
    const offset = await entryDataOffset(file, zip, entry);
    if (entry.method === 0)
        return file.read(offset, Math.min(length, entry.compressedSize));
    const compressed = await file.read(offset, Math.min(DEFLATED_HEADER_INPUT, entry.compressedSize));
    return inflatePrefix(compressed, 'raw').subarray(0, length);
}
/** A small entry (meta.json) whole, checked against the size the directory gives it. */
async function readWholeEntry(file, zip, entry) {
    if (entry.uncompressedSize > META_JSON_LIMIT || entry.compressedSize > META_JSON_LIMIT) {
        fail(`"${entry.name}" is ${entry.uncompressedSize} bytes; more than the ${META_JSON_LIMIT} a SOG's meta.json can need`);
    }
    const offset = await entryDataOffset(file, zip, entry);
    const stored = await file.read(offset, entry.compressedSize);
    let data = stored;
    if (entry.method === 8) {
        try {
            data = external_node_zlib_.inflateRawSync(stored, { maxOutputLength: META_JSON_LIMIT });
        }
        catch (error) {
            fail(`"${entry.name}" does not inflate: ${(0,src_errors/* errorMessage */.gJ)(error)}`);
        }
    }
    if (data.length !== entry.uncompressedSize) {
        fail(`"${entry.name}" holds ${data.length} bytes, the ZIP directory says ${entry.uncompressedSize}`);
    }
    return data;
}

;// CONCATENATED MODULE: ./src/assets/verify/crc32.ts

/**
 * CRC-32 as gzip and ZIP use it (polynomial 0xedb88320). Node's native `zlib.crc32` arrived in
 * 20.15 and 22.2, and the action accepts any Node 20, so older runtimes get the table below. The
 * namespace import matters: a named import of a missing export would fail at load time.
 */
const TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++)
        c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
});
/** The CRC-32 of `bytes`, continuing from `previous`, the CRC-32 of what came before them. */
function crc32Table(bytes, previous = 0) {
    let crc = ~previous;
    for (let i = 0; i < bytes.length; i++)
        crc = TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
    return ~crc >>> 0;
}
const crc32_native = external_node_zlib_.crc32;
const crc32 = typeof crc32_native === 'function' ? (bytes, previous = 0) => crc32_native(bytes, previous) : crc32Table;
const hex32 = (value) => value.toString(16).padStart(8, '0');

// EXTERNAL MODULE: external "node:stream/promises"
var external_node_stream_promises_ = __webpack_require__(46466);
;// CONCATENATED MODULE: ./src/assets/verify/stream-digest.ts



/**
 * Streams `source` (inflated when an inflater is given) and keeps only a running CRC-32 and count,
 * so memory stays constant whatever the size. It stops once more than `limit` bytes come out: a
 * compression bomb costs no more time than the size the caller expects.
 */
async function digestStream(source, inflater, limit) {
    let crc = 0;
    let bytes = 0;
    const overLimit = new Error(`more than ${limit} bytes`);
    const sink = new external_node_stream_.Writable({
        // Synchronous, so every chunk is counted by the time the inflater ends.
        write(chunk, _encoding, done) {
            bytes += chunk.length;
            if (bytes > limit)
                return done(overLimit);
            crc = crc32(chunk, crc);
            done();
        }
    });
    const digest = (stopped) => ({
        crc,
        bytes,
        consumed: inflater ? inflater.bytesWritten : bytes,
        overLimit: stopped
    });
    try {
        await (inflater ? (0,external_node_stream_promises_.pipeline)(source, inflater, sink) : (0,external_node_stream_promises_.pipeline)(source, sink));
    }
    catch (error) {
        if (error === overLimit)
            return digest(true);
        // An inflater that reaches the end of its stream with input left over ends its output early,
        // and the pipeline calls that a premature close; what was left is the caller's to judge.
        if (!(inflater?.readableEnded && isCode(error, 'ERR_STREAM_PREMATURE_CLOSE')))
            throw error;
    }
    return digest(false);
}
/** zlib's own message when `error` came from zlib (its codes start with Z_), else undefined. */
function zlibProblem(error) {
    const code = error?.code;
    if (typeof code !== 'string' || !code.startsWith('Z_'))
        return undefined;
    return String(error.message);
}
function isCode(error, code) {
    return error?.code === code;
}

;// CONCATENATED MODULE: ./src/assets/verify/zip-check.ts





const INFLATE_CHUNK = 256 * 1024;
/**
 * Streams one entry's data from disk (inflating it when deflated) and holds its CRC-32 and length
 * against the central directory. Raw deflate carries no checksum of its own, so this is the only
 * check that a deflated entry's content is what was written.
 */
async function checkEntryChecksum(file, zip, entry) {
    const offset = await entryDataOffset(file, zip, entry);
    const inflater = entry.method === 8 ? external_node_zlib_.createInflateRaw({ chunkSize: INFLATE_CHUNK }) : undefined;
    let digest;
    try {
        digest = await digestStream(file.stream(offset, entry.compressedSize), inflater, entry.uncompressedSize);
    }
    catch (error) {
        const problem = zlibProblem(error);
        if (problem === undefined)
            throw error;
        fail(`corrupt compressed data in "${entry.name}": ${problem}`);
    }
    if (digest.overLimit || digest.bytes !== entry.uncompressedSize) {
        const holds = digest.overLimit ? `more than ${entry.uncompressedSize}` : `${digest.bytes}`;
        fail(`checksum mismatch: "${entry.name}" holds ${holds} bytes uncompressed, the ZIP directory records ${entry.uncompressedSize}`);
    }
    if (digest.consumed !== entry.compressedSize) {
        fail(`corrupt ZIP: the compressed data of "${entry.name}" ends after ${digest.consumed} of its ${entry.compressedSize} bytes`);
    }
    checkCrc(entry, digest.crc);
}
/** For an entry already read whole, such as meta.json. */
function checkEntryBytes(entry, data) {
    checkCrc(entry, crc32(data));
}
function checkCrc(entry, actual) {
    if (actual !== entry.crc32) {
        fail(`checksum mismatch: "${entry.name}" has CRC-32 ${hex32(actual)}, the ZIP directory records ${hex32(entry.crc32)}`);
    }
}
/**
 * Every entry's local header, and with `deep` its data: streamed once, inflated where deflated,
 * its CRC-32 and both sizes held against the directory. Entries are checked in directory order.
 */
async function checkEveryEntry(file, zip, deep) {
    for (const entry of zip.entries.values()) {
        if (deep)
            await checkEntryChecksum(file, zip, entry);
        else
            await entryDataOffset(file, zip, entry);
    }
}

;// CONCATENATED MODULE: ./src/assets/verify/zip-bundle.ts






/**
 * Checks a ZIP the service delivers: a bundle of a task's files (`zip`), a zipped OBJ (`obj`, its
 * `.obj` with materials and textures) or a zipped FBX. The directory must account for the whole
 * file, every local header must be where it says, and with `deep` every entry's CRC-32 and sizes
 * are checked by streaming it once. The model archives must hold their model file, and its start
 * must be one: an FBX header, or OBJ text (no NUL bytes).
 */
const zip_bundle_ZIP_LOCAL_MAGIC = [0x50, 0x4b, 0x03, 0x04];
/** Read from the model inside: enough for FBX's 27-byte header, and for OBJ to show it is text. */
const START_BYTES = 512;
const HOLDS = {
    zip: undefined,
    obj: '.obj',
    fbx: '.fbx'
};
function zipKind(label) {
    return {
        one: `${article(label)} ${label} file`,
        many: `${label} files`,
        readers: 'the checks here'
    };
}
/** Reads the directory of a ZIP-based file, failing with `label` in the words when it is none. */
async function openZip(file, label) {
    const head = await file.read(0, SNIFF_BYTES);
    if (!startsWith(head, zip_bundle_ZIP_LOCAL_MAGIC)) {
        notTheFormat(head, file.size, label, 'a ZIP archive starts with "PK\\x03\\x04"');
    }
    const zip = await readZipDirectory(file, zipKind(label));
    if (zip.entries.size === 0)
        fail(`an empty ZIP archive: ${label} holds at least one file`);
    return zip;
}
async function verifyZipBundle(file, format, deep) {
    const label = format === 'zip' ? 'ZIP' : `zipped ${format.toUpperCase()}`;
    const zip = await openZip(file, label);
    const extension = HOLDS[format];
    if (extension !== undefined) {
        const model = findByExtension(zip, extension);
        if (model === undefined) {
            fail(`no ${extension} file in the ${label} archive (it holds ${listNames(zip)})`);
        }
        const start = await readModelStart(file, zip, model);
        if (format === 'fbx' ? !startsAsFbx(start) : start.includes(0)) {
            const is = format === 'fbx' ? 'an FBX file' : 'OBJ text';
            fail(`"${model.name}" is not ${is} (starts with ${quoteBytes(start.subarray(0, 24))})`);
        }
    }
    await checkEveryEntry(file, zip, deep);
    return { format, version: format === 'zip' ? 'zip' : `${format}-zip` };
}
async function readModelStart(file, zip, model) {
    try {
        return await readEntryStart(file, zip, model, START_BYTES);
    }
    catch (error) {
        if (error instanceof AssetVerificationError)
            fail(`"${model.name}": ${error.reason}`);
        throw error;
    }
}
function findByExtension(zip, extension) {
    return [...zip.entries.values()].find(entry => entry.name.toLowerCase().endsWith(extension));
}
/** Up to five names, quoted, for a message. */
function listNames(zip) {
    const names = [...zip.entries.keys()];
    const shown = names
        .slice(0, 5)
        .map(name => JSON.stringify(name))
        .join(', ');
    return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}

;// CONCATENATED MODULE: ./src/assets/verify/three-mf.ts



/**
 * Checks a 3MF: an OPC package (a ZIP) that holds `[Content_Types].xml` and the model part
 * `3D/3dmodel.model`. OPC part names are case-insensitive, so they are compared in lower case.
 * Then every entry as for any ZIP.
 */
const REQUIRED = ['[Content_Types].xml', '3D/3dmodel.model'];
async function verify3mf(file, deep) {
    const zip = await openZip(file, '3MF');
    const names = new Set([...zip.entries.keys()].map(name => name.toLowerCase()));
    for (const part of REQUIRED) {
        if (!names.has(part.toLowerCase())) {
            fail(`no ${part} in the 3MF package (it holds ${listNames(zip)})`);
        }
    }
    await checkEveryEntry(file, zip, deep);
    return { format: '3mf', version: '3mf' };
}

;// CONCATENATED MODULE: ./src/assets/verify/usdz.ts




/**
 * Checks a USDZ: a ZIP whose entries are stored, never compressed, with each entry's data starting
 * on a 64-byte boundary, so that readers map the layers straight from the file; the first entry is
 * the USD layer a reader opens (`.usdc`, `.usda` or `.usd`). Then every entry as for any ZIP.
 */
const ALIGNMENT = 64;
const LAYER = /\.(usdc|usda|usd)$/i;
async function verifyUsdz(file, deep) {
    const zip = await openZip(file, 'USDZ');
    const entries = [...zip.entries.values()].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
    if (!LAYER.test(entries[0].name)) {
        fail(`the first entry of a USDZ is its .usdc, .usda or .usd layer; this one is "${entries[0].name}"`);
    }
    for (const entry of entries) {
        if (entry.method !== 0) {
            fail(`"${entry.name}" is compressed (ZIP method ${entry.method}); USDZ entries are stored`);
        }
        const offset = await entryDataOffset(file, zip, entry);
        if (offset % ALIGNMENT !== 0) {
            fail(`the data of "${entry.name}" starts at byte ${offset}, not on a 64-byte boundary as USDZ requires`);
        }
    }
    await checkEveryEntry(file, zip, deep);
    return { format: 'usdz', version: 'usdz' };
}

;// CONCATENATED MODULE: ./src/assets/verify/ply-header.ts


const PLY_TYPE_BYTES = {
    char: 1,
    uchar: 1,
    int8: 1,
    uint8: 1,
    short: 2,
    ushort: 2,
    int16: 2,
    uint16: 2,
    int: 4,
    uint: 4,
    float: 4,
    int32: 4,
    uint32: 4,
    float32: 4,
    double: 8,
    float64: 8
};
/** Length of the header including its `end_header` line, or undefined if it is not in `head`. */
function findPlyHeaderEnd(head) {
    const match = /\nend_header[ \t]*\r?\n/.exec(head.toString('latin1'));
    return match ? match.index + match[0].length : undefined;
}
function parsePlyHeader(header) {
    const lines = header.split('\n').map(line => line.replace(/\r$/, '').trim());
    let format;
    const elements = [];
    for (const line of lines.slice(1)) {
        const words = line.split(/\s+/);
        const keyword = words[0];
        if (keyword === 'end_header')
            break;
        if (keyword === '' || keyword === 'comment' || keyword === 'obj_info')
            continue;
        if (keyword === 'format') {
            format = words.slice(1).join(' ');
            checkPlyFormat(format);
        }
        else if (keyword === 'element') {
            elements.push(parseElement(words, line));
        }
        else if (keyword === 'property') {
            addProperty(elements.at(-1), words, line);
        }
        else {
            fail(`unexpected PLY header line ${quoteText(line)}`);
        }
    }
    if (format === undefined)
        fail('the PLY header has no "format" line');
    return elements;
}
function checkPlyFormat(format) {
    if (format === 'binary_little_endian 1.0')
        return;
    const [encoding] = format.split(' ');
    if (encoding === 'ascii') {
        fail('ASCII PLY is not supported: Gaussian-splat PLY files are "binary_little_endian 1.0"');
    }
    if (encoding === 'binary_big_endian') {
        fail('big-endian PLY is not supported: Gaussian-splat PLY files are "binary_little_endian 1.0"');
    }
    fail(`unsupported PLY format ${quoteText(format)}; expected "binary_little_endian 1.0"`);
}
function parseElement(words, line) {
    if (words.length !== 3 || !/^\d+$/.test(words[2]) || !Number.isSafeInteger(Number(words[2]))) {
        fail(`malformed PLY header line ${quoteText(line)}`);
    }
    return { name: words[1], count: Number(words[2]), properties: [], rowBytes: 0 };
}
function addProperty(element, words, line) {
    if (!element)
        fail(`PLY property before any element: ${quoteText(line)}`);
    if (words[1] === 'list') {
        fail(`list property "${words.at(-1)}" in the ${element.name} element: its size depends on the data, and Gaussian-splat PLY files have none`);
    }
    const bytes = PLY_TYPE_BYTES[words[1]];
    if (words.length !== 3 || bytes === undefined) {
        fail(`malformed PLY header line ${quoteText(line)}`);
    }
    element.properties.push(words[2]);
    element.rowBytes += bytes;
}

;// CONCATENATED MODULE: ./src/assets/verify/sh-degree.ts
/** Spherical-harmonic coefficients per colour channel for SH degrees 0..4. */
const SH_COEFFICIENTS = [0, 3, 8, 15, 24];
/** PLY's f_rest_* and SOG v1's shN.shape[1] count all three channels, for degrees 0..3. */
const DEGREE_OF_REST_COUNT = new Map(SH_COEFFICIENTS.slice(0, 4).map((perChannel, degree) => [3 * perChannel, degree]));
/** The SH degree (0-3) of a splat with `count` non-DC coefficients, or undefined for any other count. */
const shDegreeOfRestCount = (count) => DEGREE_OF_REST_COUNT.get(count);

;// CONCATENATED MODULE: ./src/assets/verify/ply.ts




const PLY_HEADER_LIMIT = 128 * 1024;
/** What every 3DGS splat carries; SH beyond degree 0 (f_rest_*) and normals are optional. */
const GAUSSIAN_PROPERTIES = 'x y z f_dc_0 f_dc_1 f_dc_2 opacity scale_0 scale_1 scale_2 rot_0 rot_1 rot_2 rot_3'.split(' ');
const PACKED_PROPERTIES = ['packed_position', 'packed_rotation', 'packed_scale', 'packed_color'];
/** The compressed PLY stores one `chunk` row of bounds per this many splats. */
const SPLATS_PER_CHUNK = 256;
/** Checks a 3DGS or compressed (chunked) PLY: its header, and a size that is exactly what the header describes. */
async function verifyPly(file) {
    const head = await file.read(0, PLY_HEADER_LIMIT);
    const headerBytes = findPlyHeaderEnd(head);
    if (headerBytes === undefined) {
        fail(file.size <= PLY_HEADER_LIMIT
            ? `truncated: ${file.size} bytes and the PLY header has no "end_header" line`
            : 'no "end_header" line in the first 128 KiB; a splat PLY header is a few KiB');
    }
    const elements = parsePlyHeader(head.toString('latin1', 0, headerBytes));
    checkPlySize(file.size, headerBytes, elements);
    const named = (name) => elements.find(element => element.name === name);
    const vertex = named('vertex');
    if (!vertex)
        fail('the PLY header has no "vertex" element, so no splats');
    const chunk = named('chunk');
    if (chunk || vertex.properties.includes('packed_position')) {
        return compressedPlyInfo(vertex, chunk, named('sh'));
    }
    const missing = GAUSSIAN_PROPERTIES.filter(name => !vertex.properties.includes(name));
    if (missing.length > 0) {
        fail(`not a Gaussian-splat PLY: the vertex element lacks ${missing.join(', ')}`);
    }
    return {
        format: 'ply',
        gaussians: vertex.count,
        version: 'ply-3dgs',
        shDegree: fRestDegree(vertex)
    };
}
function checkPlySize(size, headerBytes, elements) {
    let expectedSize = headerBytes;
    for (const element of elements)
        expectedSize += element.count * element.rowBytes;
    if (!Number.isSafeInteger(expectedSize))
        fail('the PLY header describes an impossibly large file');
    const layout = elements
        .filter(element => element.count > 0)
        .map(element => `${element.count} ${element.name} × ${element.rowBytes} bytes`)
        .join(' + ');
    checkExactSize(size, expectedSize, `the PLY header (${headerBytes} bytes + ${layout || 'no data'})`, true);
}
function compressedPlyInfo(vertex, chunk, sh) {
    const missing = PACKED_PROPERTIES.filter(name => !vertex.properties.includes(name));
    if (missing.length > 0) {
        fail(`not a compressed PLY: the vertex element lacks ${missing.join(', ')}`);
    }
    const chunksNeeded = Math.ceil(vertex.count / SPLATS_PER_CHUNK);
    if (!chunk || chunk.count < chunksNeeded) {
        fail(`compressed PLY with ${vertex.count} splats needs ${chunksNeeded} chunk rows, the header has ${chunk?.count ?? 0}`);
    }
    if (sh && sh.count !== vertex.count) {
        fail(`compressed PLY has ${vertex.count} vertex rows but ${sh.count} sh rows; they must match`);
    }
    return {
        format: 'ply',
        gaussians: vertex.count,
        version: 'ply-compressed',
        shDegree: sh ? fRestDegree(sh) : 0
    };
}
function fRestDegree(element) {
    const count = element.properties.filter(name => /^f_rest_\d+$/.test(name)).length;
    const degree = shDegreeOfRestCount(count);
    if (degree === undefined) {
        fail(`${count} f_rest properties in the ${element.name} element; SH degrees 0-3 have 0, 9, 24 or 45`);
    }
    return degree;
}

;// CONCATENATED MODULE: ./src/assets/verify/sog-meta.ts




/** Reads a SOG's meta.json (version 1 or 2): the splat count, SH degree and the images it names. */
function parseSogMeta(bytes) {
    let meta;
    try {
        meta = JSON.parse(bytes.toString('utf8'));
    }
    catch (error) {
        fail(`meta.json is not valid JSON: ${(0,src_errors/* errorMessage */.gJ)(error)}`);
    }
    if (!(0,json/* isRecord */.u4)(meta))
        fail('meta.json is not a JSON object');
    const textures = [];
    for (const section of ['means', 'scales', 'quats', 'sh0']) {
        for (const name of sectionFiles(meta, section))
            textures.push({ name, perSplat: true });
    }
    const shN = meta.shN;
    if (shN !== undefined) {
        const [centroids, labels, ...rest] = sectionFiles(meta, 'shN');
        if (labels === undefined) {
            fail('meta.json lists no shN labels image (shN.files needs two images)');
        }
        textures.push({ name: centroids, perSplat: false }, { name: labels, perSplat: true });
        for (const name of rest)
            textures.push({ name, perSplat: false });
    }
    if (meta.version === undefined) {
        // Version 1 had no version field and no count: the count is the first dimension of means.
        const count = ((0,json/* isRecord */.u4)(meta.means) && Array.isArray(meta.means.shape) ? meta.means.shape : [])[0];
        const fRest = (0,json/* isRecord */.u4)(shN) && Array.isArray(shN.shape) ? shN.shape[1] : undefined;
        const shDegree = shN === undefined ? 0 : shDegreeOfRestCount(Number(fRest)) || undefined;
        if (!isCount(count))
            fail('meta.json (SOG version 1) has no valid means.shape[0] splat count');
        if (shDegree === undefined) {
            fail('meta.json (SOG version 1) has shN without a valid shN.shape[1] (9, 24 or 45)');
        }
        return { version: 1, count, shDegree, textures };
    }
    if (meta.version !== 2)
        fail(`unsupported SOG meta.json version ${JSON.stringify(meta.version)}`);
    if (!isCount(meta.count))
        fail('meta.json has no valid "count"');
    let shDegree = 0;
    if (shN !== undefined) {
        const bands = (0,json/* isRecord */.u4)(shN) ? shN.bands : undefined;
        if (bands !== 1 && bands !== 2 && bands !== 3) {
            fail('meta.json has shN without a valid shN.bands (1, 2 or 3)');
        }
        shDegree = bands;
    }
    return { version: 2, count: meta.count, shDegree, textures };
}
const isCount = (value) => Number.isSafeInteger(value) && value >= 0;
function sectionFiles(meta, section) {
    const value = meta[section];
    const files = (0,json/* isRecord */.u4)(value) ? value.files : undefined;
    if (!Array.isArray(files) ||
        files.length === 0 ||
        !files.every(name => typeof name === 'string')) {
        fail(`meta.json has no "${section}.files" list of image names`);
    }
    return files;
}

;// CONCATENATED MODULE: ./src/assets/verify/sog.ts





/**
 * Checks a SOG bundle (a ZIP of meta.json and WebP images): the ZIP directory, meta.json, and the
 * header of every image it names, whose size must match its entry and whose pixels cover the splats.
 * `deep` then streams meta.json and every image it names for their CRC-32s, once the cheap checks
 * have passed, so that a clearer reason found by those is the one reported.
 */
async function verifySog(file, deep) {
    const zip = await readZipDirectory(file);
    const metaEntry = zip.entries.get('meta.json');
    if (!metaEntry)
        fail('no meta.json in the SOG bundle');
    const metaBytes = await readWholeEntry(file, zip, metaEntry);
    const meta = parseSogMeta(metaBytes);
    const images = [];
    for (const texture of meta.textures) {
        const entry = zip.entries.get(texture.name);
        if (!entry)
            fail(`meta.json names "${texture.name}", which is not in the SOG bundle`);
        images.push(entry);
        const webp = readWebpHeader(await readEntryStart(file, zip, entry, WEBP_HEADER_BYTES), texture.name);
        if (webp.riffBytes !== entry.uncompressedSize) {
            fail(`"${texture.name}" is damaged: its WebP header says ${webp.riffBytes} bytes, the bundle holds ${entry.uncompressedSize}`);
        }
        if (texture.perSplat && webp.width * webp.height < meta.count) {
            fail(`"${texture.name}" is ${webp.width}×${webp.height} = ${webp.width * webp.height} pixels, fewer than the ${meta.count} splats`);
        }
    }
    if (deep) {
        checkEntryBytes(metaEntry, metaBytes);
        // A name listed twice in meta.json is one entry, streamed once.
        for (const entry of new Set(images))
            await checkEntryChecksum(file, zip, entry);
    }
    return {
        format: 'sog',
        gaussians: meta.count,
        version: `sog-v${meta.version}`,
        shDegree: meta.shDegree
    };
}

;// CONCATENATED MODULE: ./src/assets/verify/gzip-check.ts





const GZIP_TRAILER_BYTES = 8;
const gzip_check_INFLATE_CHUNK = 256 * 1024;
/**
 * Inflates the whole gzip stream from disk and holds it against its trailer (CRC-32 and ISIZE)
 * and against the size the SPZ header implies. zlib checks each member's trailer itself; the
 * running CRC-32 here covers the whole output, so a second member shows up as a mismatch with the
 * last trailer.
 */
async function checkGzipStream(file, expected) {
    const trailer = await file.read(file.size - GZIP_TRAILER_BYTES, GZIP_TRAILER_BYTES);
    const storedCrc = trailer.readUInt32LE(0);
    const storedLength = trailer.readUInt32LE(4);
    const gunzip = external_node_zlib_.createGunzip({ chunkSize: gzip_check_INFLATE_CHUNK });
    const limit = expected.atLeast ? Number.MAX_SAFE_INTEGER : expected.bytes;
    let digest;
    try {
        digest = await digestStream(file.stream(0, file.size), gunzip, limit);
    }
    catch (error) {
        const problem = zlibProblem(error);
        if (problem === undefined)
            throw error;
        if (problem === 'incorrect data check') {
            fail(`checksum mismatch: the inflated data does not match the CRC-32 (${hex32(storedCrc)}) at the end of the gzip stream; the file is damaged`);
        }
        if (problem === 'incorrect length check') {
            fail(`checksum mismatch: the inflated data is not the ${storedLength} bytes the gzip length field records; the file is damaged`);
        }
        fail(`corrupt compressed data: ${problem}`);
    }
    if (digest.overLimit) {
        fail(`bytes appended inside the gzip stream: ${expected.header} means ${expected.bytes} bytes uncompressed, the data inflates to more`);
    }
    if (digest.consumed < file.size) {
        fail(`${plural(file.size - digest.consumed, 'trailing byte')} after the end of the gzip stream, at byte ${digest.consumed}`);
    }
    if (digest.crc !== storedCrc || digest.bytes % 2 ** 32 !== storedLength) {
        fail('more than one gzip stream in the file (concatenated gzip members); SPZ readers inflate only the first');
    }
    // Only a file over 4 GiB uncompressed can get here with a wrong length, as ISIZE is mod 2^32.
    if (expected.atLeast ? digest.bytes < expected.bytes : digest.bytes !== expected.bytes) {
        fail(`truncated or with bytes appended: ${expected.header} means ${expected.atLeast ? 'at least ' : ''}${expected.bytes} bytes uncompressed, the data inflates to ${digest.bytes}`);
    }
}

;// CONCATENATED MODULE: ./src/assets/verify/spz-layout.ts


/** The attribute blocks every SPZ version stores, in file order. */
const SPZ_ATTRIBUTES = [
    'positions',
    'alphas',
    'colours',
    'scales',
    'rotations',
    'spherical harmonics'
];
/** Bytes per splat in each attribute block, in file order. */
function spzAttributeBytes(version, shDegree) {
    const positions = version === 1 ? 6 : 9; // v1 stored float16 positions, later versions 24-bit fixed point
    const rotations = version >= 3 ? 4 : 3;
    return [positions, 1, 3, 3, rotations, 3 * SH_COEFFICIENTS[shDegree]];
}
function checkShDegree(shDegree) {
    if (shDegree >= SH_COEFFICIENTS.length) {
        fail(`SPZ header gives SH degree ${shDegree}; SPZ allows 0-4`);
    }
}

;// CONCATENATED MODULE: ./src/assets/verify/spz-gzip.ts






const SPZ_HEADER_BYTES = 16;
const GZIP_HEADER_AND_TRAILER = 18;
const GZIP_RESERVED_FLAGS = 0xe0;
/** Compressed bytes tried, in turn, to inflate the 16-byte SPZ header: nearly always the first. */
const GZIP_PREFIX_STEPS = [1024, 16 * 1024, 64 * 1024];
const SPZ_FLAG_EXTENSIONS = 0x2;
/**
 * Checks a gzip-compressed SPZ v1-v3 file, given its first bytes: the gzip header, the inflated
 * SPZ header, and the gzip trailer's length against the size that header implies. `deep` then
 * inflates the whole stream for its CRC-32, which catches damage that keeps the size.
 */
async function verifyGzipSpz(file, head, deep) {
    if (file.size < GZIP_HEADER_AND_TRAILER + 2) {
        fail(`truncated: ${file.size} bytes, too short for a gzip stream`);
    }
    if (head[2] !== 8) {
        fail(`not a valid gzip stream: compression method ${head[2]}, gzip uses 8 (deflate)`);
    }
    if ((head[3] & GZIP_RESERVED_FLAGS) !== 0) {
        fail('not a valid gzip stream: reserved header flags are set');
    }
    const header = await inflateGzipPrefix(file, SPZ_HEADER_BYTES);
    if (header.length >= SPZ_MAGIC.length && !startsWith(header, SPZ_MAGIC)) {
        fail(`gzip data that is not SPZ: it inflates to ${quoteBytes(header.subarray(0, SPZ_HEADER_BYTES))}, not "NGSP..."`);
    }
    if (header.length < SPZ_HEADER_BYTES) {
        fail(`truncated: ${file.size} bytes, and the gzip data ends inside the 16-byte SPZ header`);
    }
    const version = header.readUInt32LE(4);
    if (version < 1 || version > 3) {
        fail(version === 4
            ? 'SPZ version 4 inside gzip: v4 files are not gzip-compressed'
            : `unsupported SPZ version ${version}`);
    }
    const gaussians = header.readUInt32LE(8);
    const shDegree = header[12];
    checkShDegree(shDegree);
    const flags = header[14];
    // The gzip trailer's ISIZE is the uncompressed length mod 2^32: a cut or extended file ends in
    // other bytes, which no longer match what the SPZ header implies.
    const perSplat = spzAttributeBytes(version, shDegree).reduce((sum, bytes) => sum + bytes, 0);
    const expected = SPZ_HEADER_BYTES + gaussians * perSplat;
    const isize = (await file.read(file.size - 4, 4)).readUInt32LE(0);
    const described = `the SPZ v${version} header (${gaussians} splats, SH degree ${shDegree})`;
    const mismatch = (means) => fail(`truncated or with bytes appended: ${described} ` +
        `means ${means}, but the gzip length field at the end of the file reads ${isize}`);
    // Extensions follow the attributes, so with them the header gives only a lower bound.
    const atLeast = (flags & SPZ_FLAG_EXTENSIONS) !== 0;
    if (!atLeast) {
        if (isize !== expected % 2 ** 32)
            mismatch(`${expected} bytes uncompressed`);
    }
    else if (expected < 2 ** 32 && isize < expected) {
        mismatch(`at least ${expected} bytes uncompressed`);
    }
    if (deep)
        await checkGzipStream(file, { bytes: expected, atLeast, header: described });
    return { format: 'spz', gaussians, version: `spz-v${version}`, shDegree };
}
/** Inflates the start of the gzip stream, reading more compressed bytes only while too little comes out. */
async function inflateGzipPrefix(file, wanted) {
    let output = Buffer.alloc(0);
    for (const step of GZIP_PREFIX_STEPS) {
        const input = await file.read(0, step);
        output = inflatePrefix(input, 'gzip');
        if (output.length >= wanted || input.length === file.size)
            break;
    }
    return output;
}

;// CONCATENATED MODULE: ./src/assets/verify/spz-v4.ts





const SPZ_V4_HEADER_BYTES = 32;
const TOC_ENTRY_BYTES = 16;
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
/**
 * Checks an SPZ v4 file: its header, a table of contents whose uncompressed sizes match the splat
 * count, streams that fill the file exactly, and a Zstandard frame at the start of each stream.
 */
async function verifySpzV4(file) {
    if (file.size < SPZ_V4_HEADER_BYTES) {
        fail(`truncated: ${file.size} bytes, the SPZ v4 header alone needs 32`);
    }
    const header = await file.read(0, SPZ_V4_HEADER_BYTES);
    const version = header.readUInt32LE(4);
    if (version >= 1 && version <= 3) {
        fail(`an uncompressed SPZ v${version} stream: SPZ v1-v3 files are gzip-compressed`);
    }
    if (version !== 4)
        fail(`unsupported SPZ version ${version}`);
    const gaussians = header.readUInt32LE(8);
    const shDegree = header[12];
    checkShDegree(shDegree);
    const streamCount = header[15];
    const tocOffset = header.readUInt32LE(16);
    const streamBytes = spzAttributeBytes(version, shDegree).slice(0, shDegree === 0 ? 5 : 6);
    if (streamCount !== streamBytes.length) {
        fail(`the SPZ v4 header gives ${plural(streamCount, 'stream')}; SH degree ${shDegree} needs ${streamBytes.length}`);
    }
    if (tocOffset < SPZ_V4_HEADER_BYTES) {
        fail(`the SPZ v4 table of contents offset ${tocOffset} points inside the 32-byte header`);
    }
    const tocEnd = tocOffset + TOC_ENTRY_BYTES * streamCount;
    if (file.size < tocEnd) {
        fail(`truncated: ${file.size} bytes, the SPZ v4 header and table of contents alone need ${tocEnd}`);
    }
    const toc = await file.read(tocOffset, TOC_ENTRY_BYTES * streamCount);
    const streams = readStreams(toc, tocEnd, gaussians, streamBytes);
    const end = streams.reduce((at, stream) => at + stream.compressed, tocEnd);
    if (!Number.isSafeInteger(end))
        fail('impossible stream sizes in the SPZ v4 table of contents');
    checkExactSize(file.size, end, 'the SPZ v4 header and table of contents', false);
    for (const stream of streams) {
        const magic = await file.read(stream.offset, ZSTD_MAGIC.length);
        if (!startsWith(magic, ZSTD_MAGIC)) {
            fail(`SPZ v4 ${stream.name} at byte ${stream.offset} is not a Zstandard frame (starts with ${quoteBytes(magic)})`);
        }
    }
    return { format: 'spz', gaussians, version: 'spz-v4', shDegree };
}
/** The streams the table of contents lists, laid end to end from `start`. */
function readStreams(toc, start, gaussians, streamBytes) {
    const streams = [];
    let offset = start;
    for (const [i, bytesPerSplat] of streamBytes.entries()) {
        const name = `stream ${i + 1} (${SPZ_ATTRIBUTES[i]})`;
        const compressed = readSize(toc, i * TOC_ENTRY_BYTES, `${name}'s compressed size`);
        const uncompressed = toc.readBigUInt64LE(i * TOC_ENTRY_BYTES + 8);
        const wanted = gaussians * bytesPerSplat;
        if (uncompressed !== BigInt(wanted)) {
            fail(`the SPZ v4 table of contents gives ${name} ${uncompressed} bytes uncompressed; ${gaussians} splats need ${wanted}`);
        }
        streams.push({ name, offset, compressed });
        offset += compressed;
    }
    return streams;
}
/** A u64 size; one past 2^53 bytes is corruption, not a real size. */
function readSize(buffer, offset, what) {
    const value = buffer.readBigUInt64LE(offset);
    if (value > BigInt(Number.MAX_SAFE_INTEGER))
        fail(`impossible ${what}: ${value} bytes`);
    return Number(value);
}

;// CONCATENATED MODULE: ./src/assets/verify.ts

















/**
 * Checks a downloaded file by its content (see docs/FORMATS.md): the bytes must be the format the
 * file is named for, its headers and directories must be consistent, and its size must be exactly
 * what they describe. PLY and SPZ v4 carry no checksum, so for them only headers and tables are
 * read and a multi-gigabyte file costs a few small reads. SPZ v1-v3, SOG and the ZIP-based model
 * formats carry CRC-32s that catch damage of the right size; checking those streams their data
 * from disk once. A GLB goes through Khronos's validator, loaded only then, which reads it whole.
 */

/** Checks a file on disk by content, never holding the whole file in memory. */
async function verifyAsset(filePath, expected, { deep = true } = {}) {
    let file;
    try {
        file = await (0,promises_.open)(filePath, 'r');
    }
    catch (error) {
        throw new AssetVerificationError(`cannot open the file: ${(0,src_errors/* errorMessage */.gJ)(error)}`);
    }
    try {
        const stat = await file.stat();
        if (!stat.isFile())
            fail('not a regular file');
        return await verifyContent(new FileRanges(file, stat.size), expected, deep);
    }
    catch (error) {
        if (error instanceof AssetVerificationError)
            throw error;
        throw new AssetVerificationError(`cannot read the file: ${(0,src_errors/* errorMessage */.gJ)(error)}`);
    }
    finally {
        await file.close();
    }
}
async function verifyContent(file, expected, deep) {
    if (!(0,formats/* isSplatFormat */.AZ)(expected))
        return verifyOther(file, expected, deep);
    const head = await file.read(0, SNIFF_BYTES);
    expectFormat(head, file.size, expected);
    if (expected === 'ply')
        return verifyPly(file);
    if (expected === 'sog')
        return verifySog(file, deep);
    return head[0] === 0x1f ? verifyGzipSpz(file, head, deep) : verifySpzV4(file);
}
/** Models, their bundles and images: each format's own check, in src/assets/verify/. */
async function verifyOther(file, expected, deep) {
    switch (expected) {
        case 'glb':
            return verifyGlb(file);
        case 'zip':
        case 'obj':
            return verifyZipBundle(file, expected, deep);
        case 'fbx':
            // Lux3D delivers FBX zipped (`_fbx.zip`) or bare (`.fbx`): the first bytes say which.
            return (await isZip(file)) ? verifyZipBundle(file, 'fbx', deep) : verifyFbx(file);
        case 'stl':
            return verifyStl(file);
        case 'image':
            return verifyImage(file);
        case 'usdz':
            return verifyUsdz(file, deep);
        case '3mf':
            return verify3mf(file, deep);
    }
}
async function isZip(file) {
    return (await file.read(0, 4)).equals(Buffer.from('PK\x03\x04', 'latin1'));
}

;// CONCATENATED MODULE: ./src/assets/asset-cache.ts
/**
 * Verified asset files kept in the runner's tool cache (@actions/tool-cache, under
 * RUNNER_TOOL_CACHE), so that a self-hosted runner that waits for the same tasks again places
 * them in `download-dir` without downloading them.
 *
 * A file's key is its API, task id, format and URL without the query string (which carries a
 * signature that changes on every answer). Tool-cache keys entries by (tool, version, arch), with
 * an explicit semver version, so the key maps onto them as:
 *   tool    `aholo-<api>-<format>`, e.g. `aholo-world-spz`: only [a-z-], safe on every file system;
 *   version `0.0.0-k<hex>`, the first 32 hex digits (128 bits) of the SHA-256 of the key as the
 *           JSON array [api, taskId, format, url]: valid semver (the `k` keeps an all-digit hash
 *           from being a numeric identifier with a leading zero), whatever the task id holds;
 *   arch    `any`: splat files are the same on every machine.
 * The entry holds one file, named `<bytes>-<sha256>-<key>.<format>`: the size and digest it had
 * when it was downloaded and verified, and the hash of the key it was kept under. Recorded in the
 * name, they land with the file in one cacheFile call, under tool-cache's own `.complete` marker,
 * so no entry can have a file without its record; and an entry moved under another key (another
 * task's file where this task's is looked for) does not match its record and is not used.
 *
 * Nothing here fails the step: a cache that cannot be read or written is a warning, and the file
 * is downloaded as if there were no cache.
 */









const ARCH = 'any';
const ENTRY_NAME = /^(\d+)-([0-9a-f]{64})-k([0-9a-f]{32})\.([a-z0-9]+)$/;
function keyHash(key) {
    const identity = JSON.stringify([key.api, key.taskId, key.format, (0,url_policy/* redactUrl */.BO)(key.url)]);
    return (0,external_node_crypto_.createHash)('sha256').update(identity).digest('hex').slice(0, 32);
}
function cacheEntryOf(key) {
    return { tool: `aholo-${key.api}-${key.format}`, version: `0.0.0-k${keyHash(key)}`, arch: ARCH };
}
/**
 * The runner's tool cache, or undefined (with a warning) when there is none to use. Loads
 * @actions/tool-cache only here, so runs without `cache` do not pay for it at start.
 */
async function openAssetCache(env, log) {
    const root = env.RUNNER_TOOL_CACHE;
    const off = "files are neither reused from it nor kept in it. Set 'cache: false' to say so.";
    if (!root) {
        log.warning(`'cache' is on, but the runner sets no RUNNER_TOOL_CACHE: ${off}`);
        return undefined;
    }
    // The toolkit reads process.env itself; never let it write where the step was not told.
    if (process.env.RUNNER_TOOL_CACHE !== root) {
        log.warning(`'cache' is on, but RUNNER_TOOL_CACHE differs from the process's own: ${off}`);
        return undefined;
    }
    try {
        return new ToolCacheStore(await __webpack_require__.e(/* import() */ 805).then(__webpack_require__.bind(__webpack_require__, 59805)), log);
    }
    catch (error) {
        log.warning(`The runner's tool cache cannot be used (${(0,src_errors/* errorMessage */.gJ)(error)}): ${off}`);
        return undefined;
    }
}
class ToolCacheStore {
    toolCache;
    log;
    constructor(toolCache, log) {
        this.toolCache = toolCache;
        this.log = log;
    }
    async reuse(key, destination, signal) {
        const label = labelOf(key);
        const { tool, version, arch } = cacheEntryOf(key);
        let checked;
        let folder = '';
        try {
            folder = this.toolCache.find(tool, version, arch);
            if (!folder)
                return undefined;
            checked = await checkEntry(folder, key, destination, signal);
            if ('ok' in checked)
                await place(checked.source, destination);
        }
        catch (error) {
            if (signal.aborted)
                throw (0,src_errors/* cancellationOf */.zg)(signal);
            this.log.warning(`${label}: the runner's tool cache could not be used (${(0,src_errors/* errorMessage */.gJ)(error)}); downloading instead.`);
            return undefined;
        }
        if ('corrupt' in checked) {
            this.log.warning(`${label}: the copy in the runner's tool cache is corrupt (${checked.corrupt}); it is discarded and the file downloaded afresh.`);
            await this.discard(folder, label);
            return undefined;
        }
        this.log.info(`${label}: reused from the runner's tool cache (${checked.source})`);
        return checked.ok;
    }
    async store(key, file, signal) {
        const { tool, version, arch } = cacheEntryOf(key);
        const name = `${file.bytes}-${file.sha256}-k${keyHash(key)}.${file.format}`;
        try {
            // Abandoned on a cancel: without its `.complete` marker, a half-copied entry is never found.
            const folder = await (0,runtime/* untilAborted */.Eu)(this.toolCache.cacheFile(file.path, name, tool, version, arch), signal);
            this.log.debug(`${labelOf(key)}: kept in the runner's tool cache at ${folder}`);
        }
        catch (error) {
            if (signal.aborted)
                return;
            this.log.warning(`${labelOf(key)}: could not be kept in the runner's tool cache: ${(0,src_errors/* errorMessage */.gJ)(error)}`);
        }
    }
    // The marker first: once it is gone, tool-cache no longer finds the entry, whatever is left.
    async discard(folder, label) {
        try {
            await (0,promises_.rm)(`${folder}.complete`, { force: true });
            await (0,promises_.rm)(folder, { recursive: true, force: true });
        }
        catch (error) {
            this.log.warning(`${label}: could not remove ${folder}: ${(0,src_errors/* errorMessage */.gJ)(error)}`);
        }
    }
}
/**
 * Key, size, header and SHA-256 against what the entry's name recorded; a link is never
 * followed (an entry whose file is a link is corrupt). The header is checked
 * shallow (`deep: false`): the digest was taken of a file that passed the deep check when it was
 * stored, and comparing it covers every byte, so the format's own CRCs would add a second read
 * of the file and catch nothing more. The header check still yields the splat count and version,
 * and refuses a file this version of the verifier no longer accepts.
 */
async function checkEntry(folder, key, destination, signal) {
    const { format } = key;
    const names = (await (0,promises_.readdir)(folder)).filter(name => ENTRY_NAME.test(name));
    if (names.length !== 1)
        return { corrupt: `${names.length} files named <size>-<sha256>-<key>` };
    const [, recordedBytes, recordedSha, recordedKey, recordedFormat] = ENTRY_NAME.exec(names[0]) ?? [];
    const source = external_node_path_.join(folder, names[0]);
    if (recordedFormat !== format)
        return { corrupt: `it holds a ${recordedFormat} file` };
    if (recordedKey !== keyHash(key))
        return { corrupt: 'it was kept for another task or file' };
    const entry = await (0,promises_.lstat)(source);
    if (!entry.isFile())
        return { corrupt: 'its file is a link or not a regular file' };
    const { size } = entry;
    if (size !== Number(recordedBytes)) {
        return { corrupt: `${size} bytes, not the ${recordedBytes} recorded` };
    }
    let info;
    try {
        info = await verifyAsset(source, format, { deep: false });
    }
    catch (error) {
        return { corrupt: (0,src_errors/* errorMessage */.gJ)(error) };
    }
    const sha256 = await sha256Of(source, signal);
    if (sha256 !== recordedSha)
        return { corrupt: 'its SHA-256 differs from the one recorded' };
    return {
        source,
        ok: { ...info, path: destination, bytes: size, sha256, reused: true }
    };
}
async function sha256Of(file, signal) {
    const hash = (0,external_node_crypto_.createHash)('sha256');
    for await (const chunk of (0,external_node_fs_.createReadStream)(file, { signal, highWaterMark: 1024 * 1024 })) {
        hash.update(chunk);
    }
    return hash.digest('hex');
}
/**
 * A hard link where the file system allows one (no copy, no space), else a copy; under a
 * temporary name first, so nothing half-written ever has the final name.
 */
async function place(source, destination) {
    const folder = external_node_path_.dirname(destination);
    await (0,promises_.mkdir)(folder, { recursive: true });
    const temp = external_node_path_.join(folder, `.${external_node_path_.basename(destination)}.${(0,external_node_crypto_.randomBytes)(6).toString('hex')}.part`);
    try {
        await (0,promises_.link)(source, temp).catch(() => (0,promises_.copyFile)(source, temp));
        await (0,promises_.rename)(temp, destination);
    }
    finally {
        // rename() leaves both names when they already link the same file (a workspace kept from
        // the run that placed it): the temporary one must go either way.
        await (0,promises_.rm)(temp, { force: true });
    }
}
function labelOf(key) {
    return `${key.taskId} ${(0,formats/* formatLabel */.wR)(key.format)}`;
}

// EXTERNAL MODULE: ./src/assets/budgets.ts
var budgets = __webpack_require__(43951);
// EXTERNAL MODULE: ./src/assets/download.ts + 6 modules
var download = __webpack_require__(93226);
// EXTERNAL MODULE: ./src/assets/types.ts
var types = __webpack_require__(73960);
;// CONCATENATED MODULE: ./src/assets/fetch-asset.ts
/**
 * One chosen file of one succeeded task: reused from the runner's tool cache when it holds a
 * good copy, else downloaded and verified (and then kept there); either way checked against
 * the budgets.
 */







/** The file, verified, at `<downloadDir>/<taskId>/<file name>`; throws when it is not. */
async function fetchAsset(job, settings, deps) {
    const { cache, signal, log } = deps;
    const destination = external_node_path_.join(settings.downloadDir, job.taskId, job.fileName);
    const key = { api: settings.api, taskId: job.taskId, format: job.format, url: job.url };
    let file = cache ? await cache.reuse(key, destination, signal) : undefined;
    const reused = file !== undefined;
    file ??= await fetch_asset_download(job, destination, settings, deps);
    log.info(`${label(job)}: ${file.version}, ${(0,types/* describeFigures */.p)(file)}${file.shDegree === undefined ? '' : `, SH degree ${file.shDegree}`}, sha256 ${file.sha256}`);
    const reason = (0,budgets/* overBudget */.qj)(file, settings.budgets);
    if (reason) {
        file.overBudget = reason;
        log.info(`${label(job)}: over budget: ${reason}`);
    }
    // A file over a budget is no file to reuse: the cache keeps none.
    else if (!reused)
        await cache?.store(key, file, signal);
    return file;
}
/** The sentence naming a file that could not be delivered. */
function describeFailure(job, error) {
    const format = (0,formats/* formatLabel */.wR)(job.format);
    if (error instanceof download/* DownloadError */.nV && error.cause instanceof budgets/* OverSizeError */.sv)
        return (0,budgets/* describeOverBudget */.RT)(job.taskId, job.format, error.reason);
    if (error instanceof download/* DownloadError */.nV)
        return (0,src_errors/* sentence */.em)(`Task ${job.taskId}, ${format} from ${error.url}: ${error.reason}`);
    return (0,src_errors/* sentence */.em)(`Task ${job.taskId}, ${format}: ${(0,src_errors/* errorMessage */.gJ)(error)}`);
}
/**
 * The download; when its signed link has expired, the service is asked for the task once more,
 * and the fresh link downloaded. A link that has expired again fails, saying so.
 */
async function fetch_asset_download(job, destination, settings, deps) {
    try {
        return await downloadFrom(job.url, job, destination, settings, deps);
    }
    catch (error) {
        if (!settings.refresh || !(0,download/* isExpiredLink */.CJ)(error))
            throw error;
        deps.log.info(`${label(job)}: the link has expired; asking the service for a fresh one.`);
        const url = await settings.refresh(job);
        if (url === undefined) {
            throw new download/* DownloadError */.nV(error.url, `${error.reason}; the service gave no fresh link`, true, 0);
        }
        try {
            return await downloadFrom(url, job, destination, settings, deps);
        }
        catch (again) {
            if (!(0,download/* isExpiredLink */.CJ)(again))
                throw again;
            const reason = `${again.reason}; the link had expired again after it was refreshed`;
            throw new download/* DownloadError */.nV(again.url, reason, true, again.attempts, { cause: again });
        }
    }
}
async function downloadFrom(url, job, destination, settings, deps) {
    let info;
    const result = await (0,download/* downloadFile */.PE)({ url, destination, label: label(job) }, {
        ...settings.download,
        maxBytes: settings.budgets.maxFileSizeBytes,
        signal: deps.signal,
        verify: async (tempPath) => {
            info = await verifyAsset(tempPath, job.format);
        }
    }, { clock: deps.clock, log: deps.log });
    if (!info)
        throw new Error(`${label(job)}: the file was not verified`);
    return { ...info, path: result.destination, bytes: result.bytes, sha256: result.sha256 };
}
function label(job) {
    return `${job.taskId} ${(0,formats/* formatLabel */.wR)(job.format)}`;
}

;// CONCATENATED MODULE: ./src/assets/file-name.ts
/** Room for the temporary name's prefix and suffix under the usual 255-byte limit. */
const MAX_NAME_LENGTH = 200;
/** The endings a file of each format may have; the first is added when the name has none. */
const EXTENSIONS = {
    ply: ['.ply'],
    spz: ['.spz'],
    sog: ['.sog'],
    glb: ['.glb'],
    usdz: ['.usdz'],
    // Lux3D zips OBJ with its materials and textures (`_obj.zip`); FBX may come zipped or bare.
    obj: ['.zip', '.obj'],
    fbx: ['.zip', '.fbx'],
    stl: ['.stl'],
    '3mf': ['.3mf'],
    zip: ['.zip'],
    image: ['.png', '.jpg', '.jpeg', '.webp']
};
/** The name when the URL gives none worth keeping. */
const FALLBACK_STEMS = {
    ply: 'point_cloud',
    spz: 'point_cloud',
    sog: 'point_cloud',
    glb: 'model',
    usdz: 'model',
    obj: 'model_obj',
    fbx: 'model_fbx',
    stl: 'model',
    '3mf': 'model',
    zip: 'results',
    image: 'image'
};
/**
 * The file name for an asset (DESIGN.md §5): the URL's last path segment reduced to
 * `[A-Za-z0-9._-]`, else `point_cloud.<ext>` (`model.<ext>` for meshes).
 *
 * Beyond the letter of §5: leading dots are dropped (no hidden files, and no clash with the
 * `.<name>.*.part` temporary names), and the format's extension is added when the segment lacks
 * it, so that two formats served from one path (`/get?format=ply`, `/get?format=spz`) cannot
 * overwrite each other in the task's folder.
 */
function assetFileName(url, format) {
    const extensions = EXTENSIONS[format];
    const reduced = lastSegment(url).replace(/[^A-Za-z0-9._-]/g, '');
    let name = reduced.replace(/^\.+/, '');
    // Nothing left, or only the extension (`场景.ply`): no name worth keeping.
    if (name === '' || extensions.includes(reduced.toLowerCase())) {
        return `${FALLBACK_STEMS[format]}${extensions[0]}`;
    }
    if (!extensions.some(extension => name.toLowerCase().endsWith(extension)))
        name += extensions[0];
    if (name.length > MAX_NAME_LENGTH)
        name = name.slice(-MAX_NAME_LENGTH).replace(/^\.+/, '');
    return name;
}
/**
 * `name` unless `taken` has it (case-insensitively: macOS and Windows file systems ignore
 * case), else `name` with `-2`, `-3`… before its extension; the chosen name is added to `taken`.
 * Four views of one task may all be called `view.png`.
 */
function uniqueName(name, taken) {
    const dot = name.lastIndexOf('.');
    const [stem, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
    let candidate = name;
    for (let n = 2; taken.has(candidate.toLowerCase()); n++)
        candidate = `${stem}-${n}${extension}`;
    taken.add(candidate.toLowerCase());
    return candidate;
}
function lastSegment(url) {
    let pathname;
    try {
        pathname = new URL(url).pathname;
    }
    catch {
        pathname = url.split(/[?#]/, 1)[0];
    }
    const segment = pathname.split('/').pop() ?? '';
    try {
        return decodeURIComponent(segment);
    }
    catch {
        return segment;
    }
}

;// CONCATENATED MODULE: ./src/assets/run-bounded.ts
/** Bounded parallelism for downloads: a fixed list at once, or jobs queued as they come. */

const DEFAULT_CONCURRENCY = 4;
/**
 * Runs `worker` over `items` with at most `concurrency` at once. After the first failure (or
 * cancellation) no new item starts; the running ones are awaited, then the first error is thrown.
 * Results come in input order.
 */
async function runBounded(items, concurrency, worker, signal) {
    const results = new Array(items.length);
    let next = 0;
    let failure;
    const lane = async () => {
        while (!failure && next < items.length) {
            if (signal?.aborted) {
                failure = { error: cancellationOf(signal) };
                return;
            }
            const index = next++;
            try {
                results[index] = await worker(items[index]);
            }
            catch (error) {
                failure ??= { error };
            }
        }
    };
    const lanes = Math.max(1, Math.min(Math.floor(concurrency), items.length));
    await Promise.all(Array.from({ length: lanes }, lane));
    if (failure)
        throw failure.error;
    return results;
}
/** A queue with `concurrency` lanes, for jobs that arrive over time (one per file). */
function createLimiter(concurrency, signal) {
    const lanes = Math.max(1, Math.floor(concurrency));
    const queue = [];
    let active = 0;
    const next = () => {
        while (active < lanes && queue.length > 0) {
            const item = queue.shift();
            if (signal?.aborted)
                item.cancel((0,src_errors/* cancellationOf */.zg)(signal));
            else
                item.start();
        }
    };
    signal?.addEventListener('abort', () => queue.splice(0).forEach(item => item.cancel((0,src_errors/* cancellationOf */.zg)(signal))), { once: true });
    return {
        run(job) {
            return new Promise((resolve, reject) => {
                queue.push({
                    start() {
                        active++;
                        Promise.resolve()
                            .then(job)
                            .then(resolve, reject)
                            .finally(() => {
                            active--;
                            next();
                        });
                    },
                    cancel: reject
                });
                next();
            });
        },
        borrow(wanted) {
            const granted = queue.length > 0 ? 0 : Math.max(0, Math.min(wanted, lanes - active));
            active += granted;
            let released = false;
            return {
                granted,
                release() {
                    if (released)
                        return;
                    released = true;
                    active -= granted;
                    next();
                }
            };
        }
    };
}

;// CONCATENATED MODULE: ./src/assets/deliver.ts
/**
 * Delivery of the succeeded tasks' assets: each chosen format reused from the runner's tool cache
 * or downloaded, verified and checked against the budgets (at most `concurrency` files at once
 * across all tasks), then, when asked, one artifact of every file that verified and is within
 * budget: partial results are still results, as with actions/upload-artifact, and the step fails
 * naming the others. Every file is tried, so one run names every broken file (the first 20 in the
 * error, every one in the log). A cancelled run uploads nothing.
 *
 * `startDelivery` takes tasks as they succeed (`add`), so downloads can start while other tasks
 * are still polled; `deliverAssets` is the same for a finished list of tasks.
 */








/** Failures (and files over budget) the error names; the log names every one. */
const NAMED_AT_MOST = 20;
function startDelivery(options, deps) {
    const { log, signal } = deps;
    const { api = 'open-platform', cache = false } = options;
    if (cache && !options.api)
        throw new Error('A delivery with the tool cache needs its API.');
    const { refresh } = options;
    const limiter = createLimiter(options.concurrency ?? DEFAULT_CONCURRENCY, signal);
    const settings = {
        api,
        downloadDir: options.downloadDir,
        budgets: options.budgets ?? {},
        // A file's extra connections take lanes of the same bound as files do.
        download: {
            ...options.download,
            borrowConnections: (wanted) => limiter.borrow(wanted)
        },
        refresh: refresh && (async (job) => sameFile(await refresh(job.taskId), job))
    };
    // Opened by the first file, so that a run with nothing to download never loads it.
    let assetCache;
    const openCache = () => (assetCache ??= cache ? openAssetCache(deps.env, log) : Promise.resolve(undefined));
    const added = new Set();
    const missing = [];
    // By job number, so the outcome does not depend on which download finished first.
    const settled = [];
    const pending = new Set();
    let finished = false;
    const queue = (job) => {
        const index = settled.length;
        settled.push(undefined);
        const done = limiter
            .run(async () => fetchAsset(job, settings, { ...deps, cache: await openCache() }))
            .then(asset => {
            settled[index] = { kind: 'file', taskId: job.taskId, asset };
        }, (error) => {
            // A cancelled file is no failure of its own; `cancelled` says why it is missing.
            if (signal.aborted)
                return;
            const why = describeFailure(job, error);
            log.info(`Not delivered: ${why}`);
            settled[index] = { kind: 'failed', why };
        })
            .finally(() => pending.delete(done));
        pending.add(done);
    };
    const downloaded = async () => {
        while (pending.size > 0)
            await Promise.all(pending);
    };
    return {
        add(task) {
            if (finished)
                throw new Error('The delivery is finished: no task can be added.');
            if (added.has(task.taskId))
                return;
            added.add(task.taskId);
            const names = new Set();
            const counts = new Map();
            for (const { format, url } of chosenAssets(task, options.formats)) {
                const fileName = uniqueName(assetFileName(url, format), names);
                const nth = counts.get(format) ?? 0;
                counts.set(format, nth + 1);
                queue({ taskId: task.taskId, format, url, fileName, nth });
            }
            if (options.noticeMissing === false)
                return;
            for (const format of options.formats) {
                if (!task.assets.some(asset => asset.format === format))
                    missing.push(`${task.taskId} has no ${(0,formats/* formatLabel */.wR)(format)} file`);
            }
        },
        downloaded,
        async finish() {
            finished = true;
            if (missing.length > 0)
                log.notice(`Not downloaded, since the service gave no URL: ${missing.join('; ')}.`);
            await downloaded();
            const delivery = summarise(settled, options.downloadDir, signal.aborted);
            if (settled.length === 0 || !options.upload)
                return delivery;
            const good = [...delivery.files.values()].flat().filter(file => !file.overBudget);
            if (delivery.cancelled || good.length === 0) {
                delivery.error = `${delivery.error ?? 'The run was cancelled.'} No artifact was uploaded.`;
                return delivery;
            }
            await upload(delivery, good, options.upload, options.downloadDir, deps);
            return delivery;
        }
    };
}
/** Downloads, verifies and (when asked) uploads the assets of the tasks that succeeded. */
async function deliverAssets(options, tasks, deps) {
    const succeeded = tasks.filter(task => task.state === 'succeeded');
    const count = succeeded.reduce((sum, task) => sum + chosenAssets(task, options.formats).length, 0);
    const run = startDelivery(options, deps);
    if (count > 0) {
        deps.log.startGroup(`Downloading ${count} file${count === 1 ? '' : 's'} to ${options.downloadDir}`);
    }
    try {
        succeeded.forEach(task => run.add(task));
        await run.downloaded();
    }
    finally {
        if (count > 0)
            deps.log.endGroup();
    }
    return run.finish();
}
/** The task's links in the chosen formats, in the service's order; `other` is never chosen. */
function chosenAssets(task, formats) {
    return task.assets.flatMap(({ format, url }) => format !== 'other' && formats.includes(format) ? [{ format, url }] : []);
}
/**
 * The fresh link of the job's file among the task's links: the one at the same path (signed links
 * differ in their query alone), else the job's place among the links of its format.
 */
function sameFile(links, job) {
    const same = (links ?? []).filter(link => link.format === job.format);
    const path = pathOf(job.url);
    return (same.find(link => path !== undefined && pathOf(link.url) === path) ?? same[job.nth])?.url;
}
function pathOf(url) {
    try {
        const { origin, pathname } = new URL(url);
        return origin + pathname;
    }
    catch {
        return undefined;
    }
}
function summarise(settled, downloadDir, cancelled) {
    const files = new Map();
    const failures = [];
    const overBudget = [];
    let delivered = 0;
    for (const outcome of settled) {
        if (outcome?.kind === 'file') {
            const { taskId, asset } = outcome;
            files.set(taskId, [...(files.get(taskId) ?? []), asset]);
            delivered++;
            if (asset.overBudget)
                overBudget.push((0,budgets/* describeOverBudget */.RT)(taskId, asset.format, asset.overBudget));
        }
        else if (outcome?.kind === 'failed')
            failures.push(outcome.why);
    }
    const delivery = {
        files,
        downloadDir: files.size > 0 ? downloadDir : undefined,
        cancelled
    };
    const total = settled.length;
    const problems = [];
    if (failures.length > 0) {
        problems.push(`${failures.length} of ${total} download${total === 1 ? '' : 's'} failed: ${named(failures)}`);
    }
    if (overBudget.length > 0) {
        const are = overBudget.length === 1 ? 'is' : 'are';
        problems.push(`${overBudget.length} of ${delivered} file${delivered === 1 ? '' : 's'} ${are} over a budget: ${named(overBudget)}`);
    }
    const unfinished = total - failures.length - delivered;
    if (cancelled && unfinished > 0) {
        problems.push(`Downloads were cancelled with ${unfinished} of ${total} files unfinished.`);
    }
    if (problems.length > 0)
        delivery.error = problems.join(' ');
    return delivery;
}
/** The first NAMED_AT_MOST sentences, then how many more: the error stays short at any scale. */
function named(sentences) {
    const rest = sentences.length - NAMED_AT_MOST;
    const shown = sentences.slice(0, NAMED_AT_MOST).join(' ');
    return rest > 0 ? `${shown} And ${rest} more, each named in the log.` : shown;
}
/**
 * Uploads the good files as the artifact. When other files failed or are over budget, the error
 * (already naming them) says what the artifact holds, so that the step's message tells the whole
 * story: the good files are there, and the step fails for the rest.
 */
async function upload(delivery, files, settings, downloadDir, deps) {
    const { log } = deps;
    const problems = delivery.error;
    const paths = files.map(file => file.path);
    const level = settings.compressionLevel ?? defaultCompressionLevel(files.map(file => file.format));
    log.startGroup(`Uploading ${paths.length} file${paths.length === 1 ? '' : 's'} as the artifact ${settings.name} (compression level ${level})`);
    try {
        const artifact = await uploadArtifact({
            name: settings.name,
            rootDirectory: downloadDir,
            files: paths,
            retentionDays: settings.retentionDays,
            compressionLevel: level
        }, { signal: deps.signal, timeLimitMs: settings.timeLimitMs, env: deps.env });
        delivery.artifact = { id: artifact.id, url: artifact.url, digest: artifact.digest };
        log.info(`Artifact ${settings.name}: id ${artifact.id}, ${artifact.size} bytes, ${artifact.url}`);
        if (problems !== undefined) {
            const other = files.length === 1 ? 'the other file' : `the other ${files.length} files`;
            delivery.error = `${problems} The artifact ${settings.name} holds ${other}.`;
        }
    }
    catch (error) {
        delivery.cancelled = deps.signal.aborted;
        const failed = `Could not upload the artifact: ${(0,src_errors/* describeError */.Uc)(error)}`;
        delivery.error = problems === undefined ? failed : `${problems} ${failed}`;
    }
    finally {
        log.endGroup();
    }
}


/***/ })

};

//# sourceMappingURL=973.index.js.map