"""The continuous deployment workflow of lesson 07: lesson 06's delivery workflow, and then
production, by itself. The deploy API answers once production's strategy has finished: the
step fails, and the run is red, when the canary was rolled back."""
from shipyard.delivery import pipeline

PRODUCTION = """\
      - name: Deploy to production (a canary, analysed and promoted or rolled back by itself)
        run: python ci-deliver.py deploy production
        env:
          DEPLOY_API_URL: ${{ vars.DEPLOY_API_URL }}
"""

WORKFLOW = pipeline.WORKFLOW.replace("name: delivery\n", "name: deployment\n", 1) + PRODUCTION
