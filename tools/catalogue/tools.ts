import type { Db } from "../../db/executor.ts";
import { defineTool, type AisleTool } from "../defineTool.ts";
import { pyDumps } from "../pythonJson.ts";
import { dumpRecord } from "../tauJson.ts";
import * as spec from "../tauSchemas.ts";
import { getProduct, listProductTypes } from "./catalogueDb.ts";

/** Catalogue lookups: product details and the list of product types. */
export function createCatalogueTools(db: Db): AisleTool[] {
  return [
    defineTool({
      ...spec.getProductDetails,
      run: async ({ product_id }) => {
        const product = await getProduct(db, product_id);
        return product ? dumpRecord(product) : "Error: product not found";
      },
    }),
    defineTool({
      ...spec.listAllProductTypes,
      run: async () => pyDumps(new Map(await listProductTypes(db))),
    }),
  ];
}
