import { ListQueryDto } from '../../../common/pagination/list-query.dto.js';

/**
 * `GET /api/articles/:slug/comments` paging. RealWorld clients expect every comment, so the
 * default page is the maximum page size; sorts: `createdAt` (default `-createdAt`).
 */
export class ListCommentsQuery extends ListQueryDto {}
