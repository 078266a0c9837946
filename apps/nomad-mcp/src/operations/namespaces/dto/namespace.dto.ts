import { IsOptional, IsString, Matches } from 'class-validator';

/** Which namespaces to list. */
export class ListNamespacesQueryDto {
  /**
   * Only namespaces whose name starts with this.
   * @example "dev"
   */
  @IsOptional()
  @IsString()
  @Matches(/^[a-zA-Z0-9-]{1,128}$/, { message: 'prefix must be 1-128 letters, digits or dashes' })
  prefix?: string;
}

export class NamespaceItem {
  /** Namespace name (pass it as `namespace` to the other tools). */
  name: string;
  /** Its description. */
  description: string;
  /** True for the namespace the tools use when none is given. */
  default: boolean;
}

export class ListNamespacesResult {
  /** One sentence: the namespaces the caller may use, and the default one. */
  message: string;
  /** The namespace the tools use when none is given. */
  default_namespace: string;
  /** How many namespaces the caller may use. */
  count: number;
  /** Those namespaces, by name. */
  namespaces: NamespaceItem[];
}
