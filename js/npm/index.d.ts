// Types of the Beckon SDK's public API, for `import { Beckon } from 'beckon-sdk'`
// and for `window.Beckon` from the script tag.

export interface BeckonTheme {
  accent?: string;
  accent_text?: string;
  background?: string;
  text?: string;
  /** Corner radius of buttons, e.g. `'4px'`. */
  radius?: string;
  /** Font family of every surface. */
  font?: string;
  /** `'auto'` (default) follows the page's `prefers-color-scheme`. */
  mode?: 'auto' | 'light' | 'dark';
}

export interface BootOptions {
  app_id?: string;
  user_id?: string;
  email?: string;
  attributes?: Record<string, unknown>;
  user_hash?: string;
  user_jwt?: string;
  api_base?: string;
  locale?: string;
  theme?: BeckonTheme;
  alignment?: 'left' | 'right';
  horizontal_padding?: number;
  vertical_padding?: number;
  launcher_selector?: string;
  hide_default_launcher?: boolean;
  z_index?: number;
}

export interface BootResult {
  ok: boolean;
  error?: string;
}

export interface MessageEvent {
  message_id: string;
}

export interface BeckonEvents {
  ready: undefined;
  'message:shown': MessageEvent;
  'message:dismissed': MessageEvent;
  'message:clicked': MessageEvent;
  'message:completed': MessageEvent;
  'message:goal': MessageEvent;
  unread_count: number;
  'messenger:opened': undefined;
  'messenger:closed': undefined;
  'conversation:opened': { conversation_id: string };
  'conversation:started': { conversation_id: string };
}

export interface BeckonStatus {
  user_key?: string;
  queued?: number;
  showing?: string[];
}

export interface BeckonFunction {
  (command: 'boot', options?: BootOptions): Promise<BootResult>;
  (command: 'update', attributes: Record<string, unknown>): void;
  (command: 'track', event: string, metadata?: Record<string, unknown>): void;
  (command: 'page'): void;
  (command: 'shutdown'): void;
  (command: 'show' | 'hide'): void;
  (command: 'showNewMessage', text?: string): void;
  (command: 'showArticle', articleId: string): void;
  (command: 'startTour' | 'startChecklist', messageId: string): void;
  <E extends keyof BeckonEvents>(command: 'on', event: E, callback: (payload: BeckonEvents[E]) => void): () => void;
  (command: 'debug', on?: boolean): void;
  (command: 'status'): BeckonStatus;
  /** Starts loading the WebAssembly module now. */
  load?: (options?: { wasmUrl?: string | URL }) => void;
}

export declare const Beckon: BeckonFunction;
export default Beckon;

declare global {
  interface Window {
    Beckon: BeckonFunction;
  }
}
