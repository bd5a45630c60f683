/** The part of Khronos's `gltf-validator` (compiled from Dart, shipped without types) the GLB check uses. */
declare module 'gltf-validator' {
  export interface ValidationMessage {
    code: string
    message: string
    /** 0 error, 1 warning, 2 information, 3 hint. */
    severity: number
    pointer?: string
    offset?: number
  }
  export interface ValidationReport {
    issues: {
      numErrors: number
      numWarnings: number
      messages: ValidationMessage[]
      truncated: boolean
    }
    info?: {
      version?: string
      generator?: string
      totalTriangleCount?: number
      totalVertexCount?: number
    }
  }
  export interface ValidationOptions {
    uri?: string
    format?: 'glb' | 'gltf'
    externalResourceFunction?: (uri: string) => Promise<Uint8Array>
    writeTimestamp?: boolean
    maxIssues?: number
  }
  export function validateBytes(
    data: Uint8Array,
    options?: ValidationOptions
  ): Promise<ValidationReport>
  export function version(): string
}
