import { Module, OnModuleInit } from '@nestjs/common';
import { InjectDataSource, TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { tuneSqliteForBulk } from '../database/bulk-sql';
import { DependenciesService } from './dependencies.service';
import { Dependency } from './dependency.entity';
import { EntitiesService } from './entities.service';
import { EntityNode } from './entity-node.entity';
import { GraphController } from './graph.controller';
import { HierarchyService } from './hierarchy.service';
import { ServiceStability } from './service-stability';

@Module({
  imports: [TypeOrmModule.forFeature([EntityNode, Dependency])],
  controllers: [GraphController],
  providers: [EntitiesService, DependenciesService, HierarchyService, ServiceStability],
  exports: [EntitiesService, DependenciesService, HierarchyService, ServiceStability],
})
export class GraphModule implements OnModuleInit {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onModuleInit() {
    return tuneSqliteForBulk(this.dataSource);
  }
}
