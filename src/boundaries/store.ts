/**
 * The boundary store: an SQLite database in the state dir with every set (the shipped admin0
 * and imported ones), an R*Tree over compact bboxes for point lookups and a folded-name column
 * for search. Geometries are kept as GeoJSON MultiPolygon coordinates cut at ±180 (RFC 7946).
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { compactRegion } from '../regions/antimeridian.js';
import type { MultiPolygonCoords } from '../regions/geojson.js';
import { areaKm2, containsPoint, foldName } from './geometry.js';

export interface BoundaryInput {
  id: string;
  name: string;
  parts: MultiPolygonCoords;
  properties?: Record<string, unknown>;
}

export interface BoundarySummary {
  set: string;
  id: string;
  name: string;
  bbox: [number, number, number, number];
  areaKm2: number;
}

export interface Boundary extends BoundarySummary {
  parts: MultiPolygonCoords;
  properties: Record<string, unknown>;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS boundary_sets (name TEXT PRIMARY KEY, source TEXT NOT NULL, version TEXT NOT NULL, count INTEGER NOT NULL, imported_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS boundaries (
  rid INTEGER PRIMARY KEY, set_name TEXT NOT NULL REFERENCES boundary_sets(name) ON DELETE CASCADE,
  id TEXT NOT NULL, name TEXT NOT NULL, folded TEXT NOT NULL, area_km2 REAL NOT NULL,
  minx REAL NOT NULL, miny REAL NOT NULL, maxx REAL NOT NULL, maxy REAL NOT NULL,
  parts TEXT NOT NULL, properties TEXT NOT NULL, UNIQUE (set_name, id));
CREATE VIRTUAL TABLE IF NOT EXISTS boundaries_rtree USING rtree(rid, minx, maxx, miny, maxy);
`;

export class BoundaryStore {
  readonly db: Database.Database;

  constructor(file: string, opts: { readonly?: boolean; nativeBinding?: string } = {}) {
    this.db = new Database(file, { readonly: !!opts.readonly, nativeBinding: opts.nativeBinding, fileMustExist: !!opts.readonly });
    this.db.pragma('busy_timeout = 5000');
    if (!opts.readonly) {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('foreign_keys = ON');
      this.db.exec(SCHEMA);
    }
  }

  static fileIn(stateDir: string): string {
    mkdirSync(stateDir, { recursive: true });
    return join(stateDir, 'boundaries.db');
  }

  /** Replaces a whole set in one transaction: readers see the old set or the new one, never half. */
  replaceSet(name: string, source: string, version: string, items: Iterable<BoundaryInput>): number {
    const del = this.db.prepare('DELETE FROM boundaries_rtree WHERE rid IN (SELECT rid FROM boundaries WHERE set_name = ?)');
    const ins = this.db.prepare('INSERT INTO boundaries (set_name, id, name, folded, area_km2, minx, miny, maxx, maxy, parts, properties) VALUES (?,?,?,?,?,?,?,?,?,?,?)');
    const idx = this.db.prepare('INSERT INTO boundaries_rtree (rid, minx, maxx, miny, maxy) VALUES (?,?,?,?,?)');
    let n = 0;
    this.db.transaction(() => {
      del.run(name);
      this.db.prepare('DELETE FROM boundaries WHERE set_name = ?').run(name);
      this.db.prepare('INSERT OR REPLACE INTO boundary_sets (name, source, version, count, imported_at) VALUES (?,?,?,0,?)').run(name, source, version, Date.now());
      for (const b of items) {
        // The bbox is the compact one (Russia 19..191), so the R*Tree entry stays small.
        const { bbox } = compactRegion(b.parts);
        const r = ins.run(name, b.id, b.name, foldName(b.name), areaKm2(b.parts), ...bbox, JSON.stringify(b.parts), JSON.stringify(b.properties ?? {}));
        idx.run(r.lastInsertRowid, bbox[0], bbox[2], bbox[1], bbox[3]);
        n++;
      }
      this.db.prepare('UPDATE boundary_sets SET count = ? WHERE name = ?').run(n, name);
    })();
    return n;
  }

  sets(): Array<{ name: string; source: string; version: string; count: number; importedAt: string }> {
    return (this.db.prepare('SELECT * FROM boundary_sets ORDER BY name').all() as Array<Record<string, unknown>>).map((r) => ({
      name: String(r.name),
      source: String(r.source),
      version: String(r.version),
      count: Number(r.count),
      importedAt: new Date(Number(r.imported_at)).toISOString(),
    }));
  }

  setVersion(name: string): string | null {
    return (this.db.prepare('SELECT version FROM boundary_sets WHERE name = ?').pluck().get(name) as string | undefined) ?? null;
  }

  hasSet(name: string): boolean {
    return this.setVersion(name) !== null;
  }

  has(set: string, id: string): boolean {
    return !!this.db.prepare('SELECT 1 FROM boundaries WHERE set_name = ? AND id = ? COLLATE NOCASE').get(set, id);
  }

  get(set: string, id: string): Boundary | null {
    const r = this.db.prepare('SELECT * FROM boundaries WHERE set_name = ? AND id = ? COLLATE NOCASE').get(set, id) as Row | undefined;
    return r ? full(r) : null;
  }

  /** Name search: every folded word must occur, in any case and with or without accents. */
  search(q: string, set?: string, limit = 50): BoundarySummary[] {
    const words = foldName(q).split(/\s+/).filter(Boolean);
    const like = (w: string) => `%${w.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const where = [...words.map(() => "folded LIKE ? ESCAPE '\\'"), ...(set ? ['set_name = ?'] : [])];
    const sql = `SELECT rid, set_name, id, name, area_km2, minx, miny, maxx, maxy FROM boundaries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY set_name, name LIMIT ?`;
    return (this.db.prepare(sql).all(...words.map(like), ...(set ? [set] : []), limit) as Row[]).map(summary);
  }

  /** Boundaries containing a point: R*Tree candidates (at lon and lon+360), then an exact test. */
  at(lon: number, lat: number, set?: string): BoundarySummary[] {
    const rows = this.db
      .prepare(
        `SELECT b.* FROM boundaries_rtree t JOIN boundaries b ON b.rid = t.rid
         WHERE ((t.minx <= @lon AND t.maxx >= @lon) OR (t.minx <= @lon + 360 AND t.maxx >= @lon + 360)) AND t.miny <= @lat AND t.maxy >= @lat
         ${set ? 'AND b.set_name = @set' : ''}`,
      )
      .all(set ? { lon, lat, set } : { lon, lat }) as Row[];
    return rows.filter((r) => containsPoint(JSON.parse(r.parts!), lon, lat)).map(summary);
  }

  close() {
    this.db.close();
  }
}

interface Row {
  set_name: string;
  id: string;
  name: string;
  area_km2: number;
  minx: number;
  miny: number;
  maxx: number;
  maxy: number;
  parts?: string;
  properties?: string;
}

function summary(r: Row): BoundarySummary {
  return { set: r.set_name, id: r.id, name: r.name, bbox: [r.minx, r.miny, r.maxx, r.maxy], areaKm2: Math.round(r.area_km2 * 10) / 10 };
}

function full(r: Row): Boundary {
  return { ...summary(r), parts: JSON.parse(r.parts!), properties: JSON.parse(r.properties!) };
}
